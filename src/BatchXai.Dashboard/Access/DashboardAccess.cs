using System.Security.Cryptography;
using System.Text;

namespace BatchXai.Dashboard.Access;

/// <summary>
/// Who may read the dashboard: an API key (header <c>X-Api-Key</c>) and/or a user name and
/// password (HTTP basic auth, which browsers prompt for). With only a key configured, browsers sign
/// in with any user name and the key as password. From configuration or environment, never from
/// code; not a record, so that no generated ToString prints a secret into a log.
/// </summary>
public sealed class DashboardAccess
{
    public const string ApiKeyVariable = "BATCHXAI_DASHBOARD_API_KEY";
    public const string UserVariable = "BATCHXAI_DASHBOARD_USER";
    public const string PasswordVariable = "BATCHXAI_DASHBOARD_PASSWORD";
    public const string ApiKeyHeader = "X-Api-Key";

    public static DashboardAccess None { get; } = new();

    public string? ApiKey { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    public bool IsOpen => ApiKey is null && Password is null;

    /// <summary>The credentials named by the BATCHXAI_DASHBOARD_* environment variables.</summary>
    public static DashboardAccess FromEnvironment()
    {
        static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        var access = new DashboardAccess { ApiKey = Read(ApiKeyVariable), User = Read(UserVariable), Password = Read(PasswordVariable) };
        if ((access.User is null) != (access.Password is null))
            throw new InvalidOperationException($"set both {UserVariable} and {PasswordVariable}, or neither");
        return access;
    }

    public bool AcceptsApiKey(string? key) => ApiKey is not null && key is not null && SameSecret(key, ApiKey);

    public bool AcceptsBasic(string user, string password) =>
        (Password is not null && SameSecret(user, User!) & SameSecret(password, Password))
        || (ApiKey is not null && SameSecret(password, ApiKey));

    // Constant-time comparison: response timing must not reveal how much of a guess was right.
    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>Which kinds are configured, never the values.</summary>
    public override string ToString() => IsOpen ? "open (no credentials configured)" :
        string.Join(" + ", new[] { ApiKey is null ? null : "API key", Password is null ? null : "basic auth" }.Where(s => s is not null));
}
