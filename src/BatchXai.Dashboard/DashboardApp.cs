using BatchXai.Dashboard.Access;
using BatchXai.Http;
using BatchXai.Http.Access;
using BatchXai.Dashboard.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchXai.Dashboard;

/// <summary>
/// The dashboard: a read-only web app over the results database and object storage — the browser
/// app at /, the JSON API under /api, its OpenAPI document at /openapi.json, /health. Hosted by
/// <c>batchxai serve</c> (embedded) or as its own service (distributed).
/// </summary>
public static class DashboardApp
{
    public const string OpenApiPath = "/openapi.json";

    public static async Task<WebApplication> BuildAsync(DashboardOptions options, LogLevel logLevel = LogLevel.Warning, CancellationToken ct = default)
    {
        var bind = ListenAddress.Checked(options.BindAddress, options.Access, DashboardAccess.Variables);
        var openDb = await DashboardDatabase.OpenAsync(options.Database, ct);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardApp).Assembly.GetName().Name });
        builder.WebHost.UseKestrel(k => k.Listen(bind, options.Port));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(logLevel);
        ShutdownGrace.Apply(builder.Services, options.ShutdownGrace);

        builder.Services.AddSingleton(new RunQueries(openDb));
        builder.Services.AddSingleton(new RunStores(options.StoreUri, Storage.Objects.ObjectStoreFactory.FromEnvironment));
        builder.Services.AddSingleton<RunPictures>();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            OpenApiDescription.Describe(document);
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseBatchXaiSecurity(options.Access);
        AssetEndpoints.Map(app);
        RunEndpoints.Map(app);
        ClassEndpoints.Map(app);
        AuditEndpoints.Map(app);
        ImageEndpoints.Map(app);
        ExportEndpoints.Map(app);
        ReviewEndpoints.Map(app);
        app.MapOpenApi(OpenApiPath);
        return app;
    }
}
