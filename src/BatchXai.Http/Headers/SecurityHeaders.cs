using Microsoft.AspNetCore.Http;

namespace BatchXai.Http.Headers;

/// <summary>
/// Middleware: the headers every answer of a BatchXai HTTP service carries. The content security
/// policy lets pages run only scripts and styles served by the app itself (its own script and the
/// bundled chart library under /assets): no inline script, no inline style, no other origin, no
/// framing. JSON and CSV answers (run data) are never stored by browsers or proxies.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string NoStore = "no-store";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // The content type is known only once the endpoint has written its answer.
        context.Response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            if (IsData(response.ContentType)) response.Headers.CacheControl = NoStore;
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }

    /// <summary>JSON (including problem+json) and CSV: what holds run data rather than pictures or the app.</summary>
    public static bool IsData(string? contentType) => contentType is not null
        && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase));
}
