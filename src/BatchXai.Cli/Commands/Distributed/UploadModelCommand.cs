using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Model;
using BatchXai.Storage.Models;
using BatchXai.Storage.Objects;

namespace BatchXai.Cli.Commands.Distributed;

/// <summary>
/// <c>batchxai upload-model</c>: checks a model (manifest against graph, as a run would) and puts
/// its ONNX file and manifest into object storage under NAME/, the manifest as manifest.json,
/// printing the URI a run names it by. Workers then fetch it from there: no shared volume.
/// </summary>
public static partial class UploadModelCommand
{
    public const string ModelsUriVariable = "BATCHXAI_MODELS_URI";

    public static Command Build()
    {
        var manifest = new Option<string>("--manifest") { Description = "The model's manifest (JSON); the ONNX file it names goes with it", Required = true };
        var to = new Option<string?>("--to") { Description = $"Models location, e.g. s3://batchxai/models (default ${ModelsUriVariable}; S3 settings from BATCHXAI_S3_*)" };
        var name = new Option<string?>("--name") { Description = "Folder name under --to, the name runs give (default: the manifest's name)" };
        var command = new Command("upload-model", "Put a model (manifest + ONNX) into object storage for distributed runs; prints its URI") { manifest, to, name };
        command.SetAction(async (parse, ct) =>
        {
            var destination = parse.GetValue(to) ?? Environment.GetEnvironmentVariable(ModelsUriVariable);
            if (string.IsNullOrWhiteSpace(destination))
            {
                Console.Error.WriteLine($"batchxai: give --to (e.g. s3://batchxai/models) or set {ModelsUriVariable}");
                return ExitCodes.BadInput;
            }
            InspectedModel model;
            try
            {
                model = ModelInspector.Inspect(Path.GetFullPath(parse.GetValue(manifest)!));
            }
            catch (ManifestException e)
            {
                Console.Error.WriteLine($"batchxai: {e.Message}");
                return ExitCodes.BadInput;
            }
            var folderName = parse.GetValue(name) ?? model.Manifest.Name;
            if (!SafeName().IsMatch(folderName))
            {
                Console.Error.WriteLine($"batchxai: model name '{folderName}': use letters, digits, '.', '_' and '-' (give --name)");
                return ExitCodes.BadInput;
            }
            var (onnxKey, manifestBytes) = StoredForm(model.Manifest);
            var folder = $"{destination.TrimEnd('/')}/{folderName}";
            var onnxBytes = await File.ReadAllBytesAsync(model.Manifest.OnnxPath, ct);
            using (var store = ObjectStoreFactory.FromEnvironment.Open(folder))
            {
                // The ONNX file first: a manifest in the store always finds its model.
                await store.WriteAsync(onnxKey, onnxBytes, ct);
                await store.WriteAsync(ModelUri.DefaultManifest, manifestBytes, ct);
            }
            var uri = $"{folder}/{ModelUri.DefaultManifest}";
            Console.Error.WriteLine($"batchxai: model {model.Manifest.Name} uploaded: {onnxKey} ({onnxBytes.LongLength} bytes, SHA-256 {ModelFileCache.Sha256Of(onnxBytes)}) " +
                $"and {ModelUri.DefaultManifest}; runs name it --model {uri} (or --model {folderName} on a coordinator whose MODELS_URI is {destination.TrimEnd('/')})");
            Console.WriteLine(uri);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The ONNX file's key beside the manifest and the manifest's bytes as stored: unchanged when it
    /// names its ONNX file inside its own folder, else rewritten to name the file by its file name.
    /// </summary>
    private static (string OnnxKey, byte[] Manifest) StoredForm(ModelManifest manifest)
    {
        var original = File.ReadAllBytes(manifest.ManifestPath);
        try
        {
            return (ModelUri.CheckRelative(manifest.Onnx, manifest.ManifestPath), original);
        }
        catch (InvalidDataException)
        {
            var json = JsonNode.Parse(original, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
            var key = Path.GetFileName(manifest.OnnxPath);
            json["onnx"] = key;
            return (key, JsonSerializer.SerializeToUtf8Bytes(json, new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex SafeName();
}
