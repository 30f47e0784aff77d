using System.Diagnostics;

namespace BatchXai.Tests.Distributed;

/// <summary>Runs one of the repository's infra/*.sh scripts (services.sh, the private services' init/start/stop/destroy) and fails with its output.</summary>
internal static class InfraScript
{
    public static async Task RunAsync(string script, params string[] arguments)
    {
        var path = Path.Combine(DistributedServices.RepositoryRoot(), "infra", script);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(path);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await errors}");
    }
}
