using System.Security.Cryptography;
using System.Text.Json;
using BatchXai.Imaging;
using BatchXai.Onnx.Proto;

namespace BatchXai.Tests.Backward.Conformance;

/// <summary>
/// The six torchvision nets exported by export_torchvision_nets.py into a cache folder
/// (.work/conformance under the repository root, or $BATCHXAI_CONFORMANCE_DIR), with torch's
/// float64 autograd gradients. The script runs only when the folder's stamp is not the SHA-256
/// of the script, so reruns reuse the exports.
/// </summary>
public sealed class TorchvisionExports
{
    public static readonly TheoryData<string> Nets = new()
    {
        "resnet50", "densenet121", "vgg16", "efficientnet_b0", "mobilenet_v3_large", "inception_v3",
    };

    private const string Script = "tests/BatchXai.Tests/Backward/Conformance/export_torchvision_nets.py";
    private const string AlignScript = "tests/BatchXai.Tests/Backward/Conformance/align_kinks.py";

    public TorchvisionExports() => Folder = PythonExports.Ensure(Script, "conformance", "BATCHXAI_CONFORMANCE_DIR");

    public string Folder { get; }

    public string Manifest(string net) => Path.Combine(Folder, net, "model.json");

    public NpyArray Array(string net, string name) => NpyFile.Read(File.ReadAllBytes(Path.Combine(Folder, net, name + ".npy")));

    /// <summary>
    /// torch float64 gradients (input, target layer) on the linear piece ONNX Runtime's float32 forward
    /// pass took through <paramref name="prepared"/>, by align_kinks.py (rerun only when ORT's decisions
    /// or the script change). Returns them with the input gradient of the run that recorded the decisions.
    /// </summary>
    public AlignedReference Aligned(string net, ModelProto prepared)
    {
        var kinks = Path.Combine(Folder, net, "kinks");
        var recordedGradient = OrtKinks.Write(prepared, kinks, Array(net, "input"), Array(net, "seed"));
        var script = Path.Combine(PythonExports.RepositoryRoot(), AlignScript);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var decisions = Directory.GetFiles(kinks, "relu_*.npy").Concat(Directory.GetFiles(kinks, "maxpool_*.npy")).Order(StringComparer.Ordinal);
        foreach (var file in decisions.Prepend(script))
            hash.AppendData(File.ReadAllBytes(file));
        var key = Convert.ToHexStringLower(hash.GetHashAndReset());
        var stamp = Path.Combine(kinks, "stamp");
        string[] results = ["aligned.json", "aligned_input_grad.npy", "aligned_target_grad.npy"];
        if (!File.Exists(stamp) || File.ReadAllText(stamp).Trim() != key || !results.All(r => File.Exists(Path.Combine(kinks, r))))
        {
            File.Delete(stamp);
            PythonExports.Run(script, "--out", Folder, "--net", net);
            File.WriteAllText(stamp, key);
        }
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(kinks, "aligned.json"))).RootElement;
        return new AlignedReference(
            NpyFile.Read(File.ReadAllBytes(Path.Combine(kinks, "aligned_input_grad.npy"))),
            NpyFile.Read(File.ReadAllBytes(Path.Combine(kinks, "aligned_target_grad.npy"))),
            summary.GetProperty("reluUnitsDecidedDifferently").GetInt64(),
            summary.GetProperty("maxPoolSwitchesDecidedDifferently").GetInt64(),
            recordedGradient);
    }
}

/// <summary>torch float64 gradients with ONNX Runtime's kink decisions, and how many of those decisions float64 makes differently.</summary>
public sealed record AlignedReference(NpyArray InputGrad, NpyArray TargetGrad, long ReluFlips, long MaxPoolFlips, float[] RecordedInputGrad);
