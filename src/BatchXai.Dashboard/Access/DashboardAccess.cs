using BatchXai.Http.Access;

namespace BatchXai.Dashboard.Access;

/// <summary>The dashboard's credentials: BATCHXAI_DASHBOARD_API_KEY and/or BATCHXAI_DASHBOARD_USER/PASSWORD.</summary>
public static class DashboardAccess
{
    public static readonly AccessVariables Variables =
        new("dashboard", "BATCHXAI_DASHBOARD_API_KEY", "BATCHXAI_DASHBOARD_USER", "BATCHXAI_DASHBOARD_PASSWORD");

    public static ApiAccess FromEnvironment() => ApiAccess.From(Variables, Environment.GetEnvironmentVariable);
}
