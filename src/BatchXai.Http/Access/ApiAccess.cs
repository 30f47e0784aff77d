using System.Security.Cryptography;
using System.Text;

namespace BatchXai.Http.Access;

/// <summary>
/// Who may call a BatchXai HTTP service (the dashboard, the coordinator API): an API key (header
/// <c>X-Api-Key</c>) and/or a user name and password (HTTP basic auth, which browsers prompt for).
/// With only a key configured, basic auth takes any user name and the key as password. From
/// configuration or environment, never from code; not a record, so that no generated ToString
/// prints a secret into a log.
/// </summary>
public sealed class ApiAccess
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static ApiAccess None { get; } = new();

    public string? ApiKey { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>The basic-auth realm browsers show when they prompt.</summary>
    public string Realm { get; init; } = "BatchXai";

    public bool IsOpen => ApiKey is null && Password is null;

    /// <summary>The credentials the variables name, read by <paramref name="read"/> (environment or configuration); empty counts as unset.</summary>
    public static ApiAccess From(AccessVariables names, Func<string, string?> read)
    {
        string? Read(string name) => read(name) is { Length: > 0 } v ? v : null;
        var access = new ApiAccess { ApiKey = Read(names.ApiKey), User = Read(names.User), Password = Read(names.Password), Realm = $"BatchXai {names.Service}" };
        if ((access.User is null) != (access.Password is null))
            throw new InvalidOperationException($"{names.Service}: set both {names.User} and {names.Password}, or neither");
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
