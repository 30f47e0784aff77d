using BatchXai.Http.Access;
using BatchXai.Http.Headers;
using Microsoft.AspNetCore.Builder;

namespace BatchXai.Http;

/// <summary>The one way BatchXai's HTTP services put their security in front of every route.</summary>
public static class HttpSecurity
{
    /// <summary>Security headers on every answer (401s included), then the access check (all but /health) when <paramref name="access"/> is given.</summary>
    public static IApplicationBuilder UseBatchXaiSecurity(this IApplicationBuilder app, ApiAccess? access)
    {
        app.UseMiddleware<SecurityHeaders>();
        if (access is not null) app.UseMiddleware<AccessCheck>(access);
        return app;
    }
}
