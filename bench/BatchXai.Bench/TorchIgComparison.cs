using System.Diagnostics;
using System.Text.Json;

namespace BatchXai.Bench;

/// <summary>
/// Runs bench/torch_ig.py (Captum's batched IG in plain PyTorch) on the weights the ResNet-50
/// export saved, so the IG row can be read against the usual Python tool on the same network.
/// </summary>
public static class TorchIgComparison
{
    /// <summary>PyTorch IG images/s, or null (with the reason on stderr) when torch or the weights are missing.</summary>
    public static double? ImagesPerSecond(string repo, string workDir, int images, int steps, int rounds)
    {
        var script = Path.Combine(repo, "bench", "torch_ig.py");
        if (!File.Exists(Path.Combine(workDir, "resnet50.pt")))
        {
            Console.Error.WriteLine($"bench: {workDir}/resnet50.pt missing (re-run bench/export_resnet50.py); PyTorch IG skipped");
            return null;
        }
        var start = new ProcessStartInfo("/usr/bin/python3", [script, "--work", workDir, "--images", $"{images}", "--steps", $"{steps}", "--rounds", $"{rounds}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"bench: {script} exited {process.ExitCode}: {stderr.Result.Trim()}");
            return null;
        }
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonDocument.Parse(line).RootElement.GetProperty("images_per_s").GetDouble();
    }
}
