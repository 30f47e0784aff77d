using System.Reflection;

namespace BatchXai.Dashboard.Api;

/// <summary>The browser app (HTML, script, styles, chart.js), served from the assembly's resources.</summary>
public static class AssetEndpoints
{
    private const string Prefix = "dashboard/";
    private static readonly Assembly Assembly = typeof(AssetEndpoints).Assembly;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Asset("index.html")).ExcludeFromDescription();
        app.MapGet("/assets/{name}", (string name) => Asset(name)).ExcludeFromDescription();
    }

    public static bool Has(string name) => Assembly.GetManifestResourceInfo(Prefix + name) is not null;

    private static IResult Asset(string name)
    {
        var type = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => null,
        };
        if (type is null || Assembly.GetManifestResourceStream(Prefix + name) is not { } stream)
            return Results.NotFound(new ApiError(name == ChartScript ? $"{name} is missing: run infra/setup.sh (it fetches chart.js from npm) and rebuild" : $"no asset '{name}'"));
        return Results.Stream(stream, type);
    }

    public const string ChartScript = "chart.umd.min.js";
}
