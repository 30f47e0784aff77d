using BatchXai.Dashboard.Access;
using BatchXai.Http.Access;
using Microsoft.OpenApi;

namespace BatchXai.Dashboard.Api;

/// <summary>The OpenAPI document's title, description and the two ways to authenticate.</summary>
public static class OpenApiDescription
{
    public static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "BatchXai dashboard API",
            Version = "1",
            Description = "Read-only access to stored runs: progress, class-level maps with 70% ROI boxes, ROI-ratio tables, score " +
                $"distributions, Clever Hans audit findings, verdicts per class, SpRAy clusters, model and faithfulness metrics, per-image results and pictures, run comparison, CSV exports and the HTML audit report. Every route but /health needs the " +
                $"{ApiAccess.ApiKeyHeader} header or HTTP basic auth when the server has credentials configured.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiAccess.ApiKeyHeader,
            Description = $"The key from {DashboardAccess.Variables.ApiKey}",
        };
        document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "basic",
            Description = $"{DashboardAccess.Variables.User}/{DashboardAccess.Variables.Password}, or any user name with the API key as password",
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] },
        ];
    }
}
