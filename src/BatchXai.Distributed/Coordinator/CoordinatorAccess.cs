using BatchXai.Distributed.Configuration;
using BatchXai.Http.Access;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Coordinator;

/// <summary>
/// The coordinator API's credentials: settings COORDINATOR_API_KEY and/or COORDINATOR_USER/PASSWORD
/// (environment BATCHXAI_COORDINATOR_*, the variable <c>batchxai submit</c>/<c>status</c> send the key from).
/// </summary>
public static class CoordinatorAccess
{
    public static readonly AccessVariables Variables = new("coordinator",
        ServiceConfiguration.EnvironmentPrefix + "COORDINATOR_API_KEY",
        ServiceConfiguration.EnvironmentPrefix + "COORDINATOR_USER",
        ServiceConfiguration.EnvironmentPrefix + "COORDINATOR_PASSWORD");

    /// <summary>From the service's settings (a --config file or the BATCHXAI_COORDINATOR_* variables).</summary>
    public static ApiAccess From(IConfiguration config) =>
        ApiAccess.From(Variables, variable => config.Text(variable[ServiceConfiguration.EnvironmentPrefix.Length..]));
}
