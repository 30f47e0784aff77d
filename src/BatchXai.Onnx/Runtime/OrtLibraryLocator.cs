using System.Runtime.InteropServices;

namespace BatchXai.Onnx.Runtime;

/// <summary>Where a candidate ONNX Runtime library location came from.</summary>
public enum OrtLibrarySource
{
    /// <summary>The path passed to <see cref="OrtRuntime.Load"/>.</summary>
    ExplicitArgument,
    /// <summary>The <c>BATCHXAI_ORT_LIB</c> environment variable.</summary>
    EnvironmentVariable,
    /// <summary><c>tools/onnxruntime/libonnxruntime.so.1</c> under the application folder or one of its parents.</summary>
    ToolsFolder,
    /// <summary>The operating system's library search (LD_LIBRARY_PATH, ld.so.cache, ...).</summary>
    SystemSearch,
}

/// <summary>One place the locator will try, in order.</summary>
public sealed record OrtLibraryCandidate(string PathOrName, OrtLibrarySource Source);

/// <summary>
/// Finds and loads the ONNX Runtime native library. Order: explicit argument &gt; <c>BATCHXAI_ORT_LIB</c>
/// &gt; <c>&lt;application folder or any parent&gt;/tools/onnxruntime/libonnxruntime.so.1</c> &gt; system search.
/// </summary>
/// <remarks>
/// An explicit argument or a set environment variable is the only candidate tried: a configured path
/// that is wrong must fail loudly rather than silently run some other copy of the library.
/// </remarks>
public static class OrtLibraryLocator
{
    public const string EnvironmentVariable = "BATCHXAI_ORT_LIB";
    public const string LibraryFileName = "libonnxruntime.so.1";

    /// <summary>What to do when nothing loads; part of every "not found" message.</summary>
    public const string HowToInstall =
        "To get it, run `make setup` or `bash infra/setup.sh` from the repository root (installs ONNX Runtime " +
        "into tools/onnxruntime/), or set " + EnvironmentVariable + " to the full path of " + LibraryFileName + ".";

    /// <summary>The relative location searched under the application folder and its parents.</summary>
    public static string ToolsRelativePath { get; } = Path.Combine("tools", "onnxruntime", LibraryFileName);

    /// <summary>The candidates for this process: its environment and the folders it runs from.</summary>
    public static IReadOnlyList<OrtLibraryCandidate> GetCandidates(string? explicitPath) =>
        GetCandidates(explicitPath, Environment.GetEnvironmentVariable(EnvironmentVariable), DefaultStartDirectories());

    /// <summary>The candidates, in the order they are tried, for the given inputs (pure; for tests and diagnostics).</summary>
    public static IReadOnlyList<OrtLibraryCandidate> GetCandidates(
        string? explicitPath, string? environmentValue, IEnumerable<string> startDirectories)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
            return [new(Path.GetFullPath(explicitPath), OrtLibrarySource.ExplicitArgument)];
        if (!string.IsNullOrWhiteSpace(environmentValue))
            return [new(Path.GetFullPath(environmentValue), OrtLibrarySource.EnvironmentVariable)];

        var candidates = new List<OrtLibraryCandidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in startDirectories)
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, ToolsRelativePath);
                if (seen.Add(path)) candidates.Add(new(path, OrtLibrarySource.ToolsFolder));
            }
        }
        candidates.Add(new(LibraryFileName, OrtLibrarySource.SystemSearch));
        return candidates;
    }

    /// <summary>Loads the first candidate that loads; throws <see cref="OrtLibraryNotFoundException"/> listing every attempt otherwise.</summary>
    internal static (IntPtr Handle, string LoadedFrom) Load(string? explicitPath)
    {
        var attempts = new List<string>();
        foreach (var candidate in GetCandidates(explicitPath))
        {
            var isFile = candidate.Source != OrtLibrarySource.SystemSearch;
            if (isFile && !File.Exists(candidate.PathOrName))
            {
                attempts.Add($"{candidate.PathOrName} [{Describe(candidate.Source)}]: file not found");
                continue;
            }
            try
            {
                return (NativeLibrary.Load(candidate.PathOrName), candidate.PathOrName);
            }
            catch (DllNotFoundException e)
            {
                // The file exists but the loader refused it (wrong architecture, missing dependency): keep its reason.
                attempts.Add($"{candidate.PathOrName} [{Describe(candidate.Source)}]: {e.Message}");
            }
        }
        throw new OrtLibraryNotFoundException(attempts);
    }

    private static IEnumerable<string> DefaultStartDirectories()
    {
        var assemblyLocation = typeof(OrtLibraryLocator).Assembly.Location; // empty in single-file apps
        if (!string.IsNullOrEmpty(assemblyLocation)) yield return Path.GetDirectoryName(assemblyLocation)!;
        yield return AppContext.BaseDirectory;
    }

    private static string Describe(OrtLibrarySource source) => source switch
    {
        OrtLibrarySource.ExplicitArgument => "path given to OrtRuntime.Load",
        OrtLibrarySource.EnvironmentVariable => "from " + EnvironmentVariable,
        OrtLibrarySource.ToolsFolder => "tools folder",
        _ => "system library search",
    };
}

/// <summary>The ONNX Runtime native library could not be found or loaded.</summary>
public sealed class OrtLibraryNotFoundException : DllNotFoundException
{
    public OrtLibraryNotFoundException(IReadOnlyList<string> attempts)
        : base("The ONNX Runtime native library (" + OrtLibraryLocator.LibraryFileName + ") could not be loaded. Looked in:"
               + Environment.NewLine + string.Join(Environment.NewLine, attempts.Select(a => "  - " + a))
               + Environment.NewLine + OrtLibraryLocator.HowToInstall)
    {
        Attempts = attempts;
    }

    /// <summary>Each location tried and why it failed, in order.</summary>
    public IReadOnlyList<string> Attempts { get; }
}
