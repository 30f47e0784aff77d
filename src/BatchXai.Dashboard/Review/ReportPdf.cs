using System.Diagnostics;

namespace BatchXai.Dashboard.Review;

/// <summary>
/// The audit report as PDF, printed by headless Chromium (<c>--print-to-pdf</c>) from the HTML file:
/// BATCHXAI_CHROMIUM names the browser, else /usr/bin/chromium or chromium on the PATH.
/// </summary>
public static class ReportPdf
{
    public const string ChromiumVariable = "BATCHXAI_CHROMIUM";

    public static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } named) return File.Exists(named) ? named : null;
        foreach (var dir in new[] { "/usr/bin" }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)))
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    /// <summary>Prints <paramref name="html"/> to <paramref name="pdfPath"/>; throws naming the browser and its message when it cannot.</summary>
    public static async Task PrintAsync(string html, string pdfPath, CancellationToken ct)
    {
        var chromium = FindChromium() ?? throw new InvalidOperationException($"PDF needs Chromium: install it (apt-get install chromium) or set {ChromiumVariable}; or write .html");
        var work = Directory.CreateTempSubdirectory("batchxai-report-");
        try
        {
            var source = Path.Combine(work.FullName, "report.html");
            await File.WriteAllTextAsync(source, html, ct);
            var output = Path.GetFullPath(pdfPath);
            var start = new ProcessStartInfo(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(work.FullName, "profile")}",
                "--no-pdf-header-footer", $"--print-to-pdf={output}", new Uri(source).AbsoluteUri]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{chromium} did not start");
            var stderr = process.StandardError.ReadToEndAsync(ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new InvalidOperationException($"{chromium} did not print the report within 2 minutes"); }
            if (process.ExitCode != 0 || !File.Exists(output) || new FileInfo(output).Length == 0)
                throw new InvalidOperationException($"{chromium} could not print the report (exit {process.ExitCode}): {(await stderr).Trim().Split('\n').LastOrDefault()}");
        }
        finally { try { work.Delete(recursive: true); } catch (IOException) { } }
    }
}
