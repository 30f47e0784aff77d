using System.Net;

namespace BatchXai.Http.Access;

/// <summary>
/// Where a service listens: an IP address, <c>localhost</c>, or <c>*</c> for every interface. A
/// service with an API listens beyond loopback only with credentials configured.
/// </summary>
public static class ListenAddress
{
    public const string Loopback = "127.0.0.1";

    public static IPAddress Parse(string address) => address switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ when IPAddress.TryParse(address, out var ip) => ip,
        _ => throw new ArgumentException($"bind address '{address}': expected an IP address, localhost or *"),
    };

    /// <summary>The address parsed; refuses (InvalidOperationException) a non-loopback one when <paramref name="access"/> is open.</summary>
    public static IPAddress Checked(string address, ApiAccess access, AccessVariables names)
    {
        var ip = Parse(address);
        if (access.IsOpen && !IPAddress.IsLoopback(ip))
            throw new InvalidOperationException($"the {names.Service} would listen on {address} with no credentials: set {names.ApiKey} " +
                $"or {names.User}/{names.Password}, or bind to {Loopback}");
        return ip;
    }
}
