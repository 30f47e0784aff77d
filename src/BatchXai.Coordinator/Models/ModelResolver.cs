using System.Text;
using BatchXai.Contracts;
using BatchXai.Onnx.Manifest;
using BatchXai.Storage.Models;

namespace BatchXai.Coordinator.Models;

/// <summary>A run's model as the coordinator found it.</summary>
/// <param name="Uri">What runs record and workers are sent: the s3:// manifest URI, or the manifest's full local path.</param>
/// <param name="ManifestPath">Where the coordinator reads it: the local path, or its copy in the model cache.</param>
/// <param name="Files">The manifest and the ONNX file it names, with their SHA-256s, for workers to check.</param>
public sealed record ResolvedModel(string Uri, string ManifestPath, IReadOnlyList<ModelFile> Files);

/// <summary>
/// Finds a run's model where the request names it: an s3:// manifest (or model folder) is read
/// from the store into the <see cref="ModelFileCache"/>, a local path is read in place; either
/// way the manifest and its ONNX file are hashed, so workers can check they explain with the
/// same bytes. A model that is not there fails the request (nothing queued), naming it.
/// </summary>
public sealed class ModelResolver(ModelFileCache cache)
{
    public async Task<ResolvedModel> ResolveAsync(string model, CancellationToken ct)
    {
        if (!ModelUri.IsRemote(model))
        {
            var manifestPath = Path.GetFullPath(model.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(model).LocalPath : model);
            var manifest = LoadManifest(manifestPath);
            var folder = Path.GetDirectoryName(manifestPath)!;
            ModelFile Local(string path) => new(Path.GetRelativePath(folder, path).Replace('\\', '/'), ModelFileCache.Sha256OfFile(path), new FileInfo(path).Length);
            return new ResolvedModel(manifestPath, manifestPath, [Local(manifestPath), Local(manifest.OnnxPath)]);
        }

        ModelUri where;
        try { where = ModelUri.ParseRemote(model); }
        catch (ArgumentException e) { throw new RunSetupException($"field 'model': {e.Message}", e); }
        try
        {
            var (path, files) = await cache.AddAsync(where.ManifestUri, bytes => [ManifestOf(bytes, where.ManifestUri).Onnx], ct);
            return new ResolvedModel(where.ManifestUri, path, files);
        }
        catch (FileNotFoundException e)
        {
            throw new RunSetupException($"model '{where.ManifestUri}' cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new RunSetupException($"model '{where.ManifestUri}': {e.Message}", e);
        }
    }

    private static ModelManifest LoadManifest(string path)
    {
        try { return ModelManifest.Load(path); }
        catch (ManifestException e) { throw new RunSetupException(e.Message, e); }
    }

    private static ModelManifest ManifestOf(byte[] bytes, string uri)
    {
        try { return ModelManifest.Parse(Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'), uri); }
        catch (ManifestException e) { throw new RunSetupException(e.Message, e); }
    }
}
