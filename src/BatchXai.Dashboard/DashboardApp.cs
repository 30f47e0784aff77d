using System.Net;
using BatchXai.Dashboard.Access;
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
        var bind = ParseBindAddress(options.BindAddress);
        if (options.Access.IsOpen && !IPAddress.IsLoopback(bind))
            throw new InvalidOperationException($"the dashboard would listen on {options.BindAddress} with no credentials: set {DashboardAccess.ApiKeyVariable} " +
                $"or {DashboardAccess.UserVariable}/{DashboardAccess.PasswordVariable}, or bind to 127.0.0.1");
        var openDb = await DashboardDatabase.OpenAsync(options.Database, ct);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardApp).Assembly.GetName().Name });
        builder.WebHost.UseKestrel(k => k.Listen(bind, options.Port));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(logLevel);

        builder.Services.AddSingleton(options.Access);
        builder.Services.AddSingleton(new RunQueries(openDb));
        builder.Services.AddSingleton(new RunStores(options.StoreUri));
        builder.Services.AddSingleton<RunPictures>();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            OpenApiDescription.Describe(document);
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseMiddleware<AccessCheck>();
        AssetEndpoints.Map(app);
        RunEndpoints.Map(app);
        ClassEndpoints.Map(app);
        AuditEndpoints.Map(app);
        ImageEndpoints.Map(app);
        ExportEndpoints.Map(app);
        app.MapOpenApi(OpenApiPath);
        return app;
    }

    private static IPAddress ParseBindAddress(string address) => address switch
    {
        "localhost" => IPAddress.Loopback,
        "*" => IPAddress.Any,
        _ when IPAddress.TryParse(address, out var ip) => ip,
        _ => throw new ArgumentException($"bind address '{address}': expected an IP address, localhost or *"),
    };
}
