using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BatchXai.Onnx.Proto;
using Google.Protobuf;

namespace BatchXai.Onnx.Backward;

/// <summary>Where a prepared model's bytes came from.</summary>
public enum PreparedModelOrigin
{
    /// <summary>Built now (no entry, or the entry was unreadable or corrupt); stored for next time where the cache is writable.</summary>
    Built,
    /// <summary>Read from a cache entry whose bytes matched their recorded SHA-256.</summary>
    Cache,
}

/// <summary>A backward-augmented model, ready for <c>OrtInferenceSession.FromBytes</c>.</summary>
/// <param name="Path">The cache entry's .onnx file; null when the cache is disabled.</param>
public sealed record PreparedModel(byte[] Bytes, PreparedModelOrigin Origin, string? Path);

/// <summary>
/// Prepared (backward-augmented) models on disk, so a worker restart or a second run loads them
/// instead of rebuilding. The key is the SHA-256 of: the source model's SHA-256, every
/// <see cref="BackwardOptions"/> field (input, logits, target layer, rule), the names the builder
/// gives the seed and gradient tensors, and the build of the builder itself (its assembly's
/// module version id, which deterministic builds change exactly when the code changes — so a new
/// builder never serves an old graph). An entry is &lt;key&gt;.onnx, a plain ONNX file, and
/// &lt;key&gt;.json, what it was built from plus the SHA-256 of the .onnx. An entry that is
/// missing, unreadable or whose bytes do not match is rebuilt and overwritten; a cache folder
/// that cannot be written is reported through the log and skipped — never fatal.
/// </summary>
public sealed class PreparedModelCache
{
    /// <summary>Environment variable naming BatchXai's cache folder (prepared models go under prepared/); "off" disables the cache.</summary>
    public const string DirectoryVariable = "BATCHXAI_CACHE_DIR";

    private const string Format = "batchxai-prepared-model/1";
    private static readonly string BuilderBuild = typeof(BackwardGraphBuilder).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private long _hits, _builds;

    /// <param name="directory">Folder holding the entries (created on first write); null disables caching.</param>
    public PreparedModelCache(string? directory) => Directory = directory is null ? null : System.IO.Path.GetFullPath(directory);

    /// <summary>The cache folder, or null when caching is off.</summary>
    public string? Directory { get; }

    /// <summary>Entries served from disk by this instance.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Models built by this instance (misses, including corrupt entries replaced).</summary>
    public long Builds => Interlocked.Read(ref _builds);

    /// <summary>Builds every time, stores nothing.</summary>
    public static PreparedModelCache Disabled { get; } = new(null);

    /// <summary>
    /// $BATCHXAI_CACHE_DIR/prepared when set ("off" disables), else the user's cache folder:
    /// $XDG_CACHE_HOME/batchxai/prepared or ~/.cache/batchxai/prepared (LocalApplicationData\BatchXai\cache\prepared on Windows).
    /// </summary>
    public static PreparedModelCache Default => new(DefaultDirectory());

    public static string? DefaultDirectory() => CacheRoot() is { } root ? System.IO.Path.Combine(root, "prepared") : null;

    /// <summary>
    /// BatchXai's cache folder, which prepared models and fetched models (models/) share: $BATCHXAI_CACHE_DIR
    /// (null when "off"), else $XDG_CACHE_HOME/batchxai or ~/.cache/batchxai (LocalApplicationData\BatchXai\cache on Windows).
    /// </summary>
    public static string? CacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (configured is { Length: > 0 })
            return configured.Equals("off", StringComparison.OrdinalIgnoreCase) ? null : configured;
        if (OperatingSystem.IsWindows())
            return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "BatchXai", "cache");
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = xdg is { Length: > 0 } ? xdg : home.Length > 0 ? System.IO.Path.Combine(home, ".cache") : null;
        return root is null ? null : System.IO.Path.Combine(root, "batchxai");
    }

    /// <summary>The entry's key: hex SHA-256 of what the prepared model depends on.</summary>
    public static string Key(string sourceSha256, BackwardOptions options) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Describe(sourceSha256, options))));

    /// <summary>The cached bytes for (source, options), or <paramref name="build"/>'s model, stored for next time.</summary>
    /// <param name="sourceSha256">SHA-256 of the source ONNX file's bytes.</param>
    /// <param name="log">Receives one line per cache event worth knowing (hit, rebuild of a bad entry, write failure).</param>
    public PreparedModel GetOrBuild(string sourceSha256, BackwardOptions options, Func<ModelProto> build, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceSha256);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(build);
        if (Directory is null)
            return Build(build, null);

        var key = Key(sourceSha256, options);
        var onnxPath = System.IO.Path.Combine(Directory, key + ".onnx");
        var metaPath = System.IO.Path.Combine(Directory, key + ".json");
        if (File.Exists(onnxPath) || File.Exists(metaPath))
        {
            var (bytes, problem) = ReadEntry(onnxPath, metaPath, key);
            if (bytes is not null)
            {
                Interlocked.Increment(ref _hits);
                log?.Invoke($"prepared model ({options.Rule}) read from cache {onnxPath}");
                return new PreparedModel(bytes, PreparedModelOrigin.Cache, onnxPath);
            }
            log?.Invoke($"prepared model cache entry {onnxPath} is unusable ({problem}); rebuilding it");
        }

        var built = Build(build, onnxPath);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            WriteAtomically(onnxPath, built.Bytes);
            WriteAtomically(metaPath, JsonSerializer.SerializeToUtf8Bytes(new EntryRecord(
                key, Convert.ToHexStringLower(SHA256.HashData(built.Bytes)), built.Bytes.LongLength, Describe(sourceSha256, options))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log?.Invoke($"prepared model not cached in {Directory}: {e.Message}");
            return built with { Path = null };
        }
        return built;
    }

    private PreparedModel Build(Func<ModelProto> build, string? path)
    {
        var bytes = build().ToByteArray();
        Interlocked.Increment(ref _builds);
        return new PreparedModel(bytes, PreparedModelOrigin.Built, path);
    }

    /// <summary>The entry's bytes when its record parses, names this key, and its SHA-256 matches; otherwise why not.</summary>
    private static (byte[]? Bytes, string Problem) ReadEntry(string onnxPath, string metaPath, string key)
    {
        try
        {
            var record = JsonSerializer.Deserialize<EntryRecord>(File.ReadAllBytes(metaPath));
            if (record is null || record.Key != key)
                return (null, "its record names another key");
            var bytes = File.ReadAllBytes(onnxPath);
            if (bytes.LongLength != record.Length || Convert.ToHexStringLower(SHA256.HashData(bytes)) != record.Sha256)
                return (null, $"its bytes do not match their recorded SHA-256 ({bytes.LongLength} bytes, {record.Length} recorded)");
            return (bytes, "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Write beside, then rename over: readers and concurrent writers see a whole file or none.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string Describe(string sourceSha256, BackwardOptions options) => JsonSerializer.Serialize(new
    {
        format = Format,
        builder = BuilderBuild,
        source = sourceSha256,
        input = options.InputName,
        logits = options.LogitsName,
        target = options.TargetLayer,
        rule = options.Rule.ToString(),
        seed = BackwardGraphBuilder.SeedInput,
        inputGrad = BackwardGraphBuilder.InputGradOutput,
        targetGrad = BackwardGraphBuilder.TargetGradOutput,
    });

    private sealed record EntryRecord(string Key, string Sha256, long Length, string Built);
}
