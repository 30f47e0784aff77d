using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace BatchXai.Http.Access;

/// <summary>
/// Middleware: every request but <c>/health</c> and <c>/metrics</c> (counts and timings, no data) needs the API key header or basic-auth credentials
/// the configuration names; otherwise 401 with a basic-auth challenge, so that a browser prompts.
/// </summary>
public sealed class AccessCheck(RequestDelegate next, ApiAccess access)
{
    public const string HealthPath = "/health";
    public const string MetricsPath = "/metrics";

    public Task InvokeAsync(HttpContext context)
    {
        if (access.IsOpen || context.Request.Path.Equals(HealthPath, StringComparison.OrdinalIgnoreCase)
            || context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase) || IsAllowed(context.Request))
            return next(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{access.Realm}\", charset=\"UTF-8\"";
        return context.Response.WriteAsJsonAsync(new { error = $"credentials required: header {ApiAccess.ApiKeyHeader} or basic auth" });
    }

    private bool IsAllowed(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiAccess.ApiKeyHeader, out var key)) return access.AcceptsApiKey(key.ToString());
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter)); }
        catch (FormatException) { return false; }
        int colon = decoded.IndexOf(':');
        return colon >= 0 && access.AcceptsBasic(decoded[..colon], decoded[(colon + 1)..]);
    }
}
