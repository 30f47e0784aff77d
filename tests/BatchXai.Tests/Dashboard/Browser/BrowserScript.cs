using System.Diagnostics;
using System.Text.Json.Nodes;
using BatchXai.Tests.Localisation;
using Xunit.Abstractions;

namespace BatchXai.Tests.Dashboard.Browser;

/// <summary>
/// The browser tests' harness: headless Debian chromium driven by playwright-core (both installed by
/// <c>infra/setup.sh --test</c>) from a node script beside this file, which prints one JSON line of what it saw;
/// screenshots go to out/test-artifacts/dashboard/.
/// </summary>
internal static class BrowserScript
{
    public const string Chromium = "/usr/bin/chromium";

    private static string RepositoryRoot => Path.GetDirectoryName(Path.GetDirectoryName(PointingGameTests.BundledModel("x"))!)!;

    public static string Playwright => Path.Combine(RepositoryRoot, "tools", "playwright", "node_modules", "playwright-core");

    /// <summary>Fails naming what is missing when chromium or playwright-core is not installed.</summary>
    public static void AssertInstalled() =>
        Assert.True(Directory.Exists(Playwright) && File.Exists(Chromium), $"needs {Playwright} and {Chromium}: run `bash infra/setup.sh --test`");

    /// <summary>out/test-artifacts/dashboard/, created.</summary>
    public static string Artefacts()
    {
        var folder = Path.Combine(RepositoryRoot, "out", "test-artifacts", "dashboard");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Runs <c>node Dashboard/Browser/&lt;script&gt; &lt;playwright-core&gt; &lt;chromium&gt; args…</c> (3 minutes at most); its last output line, as JSON.</summary>
    public static async Task<JsonNode> RunAsync(string script, IEnumerable<string> arguments, ITestOutputHelper? output = null)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Dashboard", "Browser", script);
        var start = new ProcessStartInfo("node", [path, Playwright, Chromium, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"browser script did not finish: {await stderr}"); }
        output?.WriteLine(await stdout);
        Assert.True(process.ExitCode == 0, $"browser script failed ({process.ExitCode}): {await stderr}");
        return JsonNode.Parse((await stdout).Trim().Split('\n')[^1])!;
    }
}
