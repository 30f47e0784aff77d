namespace BatchXai.Http.Access;

/// <summary>
/// The environment variables that hold one service's credentials, e.g. BATCHXAI_DASHBOARD_API_KEY:
/// where <see cref="ApiAccess"/> reads them and what its messages tell an operator to set.
/// </summary>
/// <param name="Service">The service, as messages and the basic-auth realm name it ("dashboard", "coordinator").</param>
public sealed record AccessVariables(string Service, string ApiKey, string User, string Password);
