using System.Diagnostics;
using System.Security.Cryptography;

namespace BatchXai.Tests.Backward.Conformance;

/// <summary>
/// Runs the repository's export scripts with Debian's python (torch, torchvision, onnx) into a cache
/// folder under .work/, only when the folder's stamp is not the SHA-256 of the script.
/// </summary>
public static class PythonExports
{
    // Several test classes share an export folder and xunit constructs their fixtures in parallel:
    // one export at a time, the others then find the fresh stamp.
    private static readonly Lock Gate = new();

    /// <summary>
    /// The cache folder for <paramref name="script"/> (relative to the repository root): $<paramref name="environmentVariable"/>
    /// when set, else .work/<paramref name="folderName"/>; exported there first when the stamp is stale.
    /// </summary>
    public static string Ensure(string script, string folderName, string environmentVariable)
    {
        var root = RepositoryRoot();
        var folder = Environment.GetEnvironmentVariable(environmentVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(root, ".work", folderName);
        var path = Path.Combine(root, script);
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        var stamp = Path.Combine(folder, "stamp");
        lock (Gate)
        {
            if (!File.Exists(stamp) || File.ReadAllText(stamp).Trim() != hash)
                Run(path, "--out", folder);
            if (!File.Exists(stamp) || File.ReadAllText(stamp).Trim() != hash)
                throw new InvalidOperationException($"{path} ran but did not stamp {folder} with its SHA-256 {hash}");
        }
        return folder;
    }

    public static void Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments.Prepend(script)) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{script} failed (exit {process.ExitCode}); needs Debian python3-torch, python3-torchvision, python3-onnx " +
                $"(bash infra/setup.sh --test):\n{stdout}\n{stderr.Result}");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BatchXai.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no BatchXai.sln above {AppContext.BaseDirectory}");
    }
}
