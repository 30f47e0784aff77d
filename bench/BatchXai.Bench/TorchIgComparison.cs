using System.Diagnostics;
using System.Text.Json;

namespace BatchXai.Bench;

/// <summary>
/// Runs bench/torch_ig.py (inference, forward + input gradient, and Captum's batched IG in plain
/// PyTorch, with an allocator that reuses freed memory) on the weights the ResNet-50 export saved,
/// so the gradient and IG rows can be read against the usual Python tool on the same network.
/// </summary>
public static class TorchIgComparison
{
    /// <summary>PyTorch's rates in images/s.</summary>
    public sealed record Rates(double Inference, double ForwardInputGradient, double IntegratedGradients);

    /// <summary>PyTorch's rates, or null (with the reason on stderr) when torch or the weights are missing.</summary>
    public static Rates? Measure(string repo, string workDir, int batch, int igImages, int steps, int rounds)
    {
        var script = Path.Combine(repo, "bench", "torch_ig.py");
        if (!File.Exists(Path.Combine(workDir, "resnet50.pt")))
        {
            Console.Error.WriteLine($"bench: {workDir}/resnet50.pt missing (re-run bench/export_resnet50.py); PyTorch rows skipped");
            return null;
        }
        var start = new ProcessStartInfo("/usr/bin/python3",
            [script, "--work", workDir, "--batch", $"{batch}", "--images", $"{igImages}", "--steps", $"{steps}", "--rounds", $"{rounds}"])
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
        var line = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;
        return new Rates(line.GetProperty("inference_images_per_s").GetDouble(), line.GetProperty("gradient_images_per_s").GetDouble(),
            line.GetProperty("images_per_s").GetDouble());
    }
}
