using BatchXai.Imaging;
using BatchXai.Tests.Backward.Conformance;

namespace BatchXai.Tests.Byom;

/// <summary>
/// Third-party-style classifiers exported by export_byom_nets.py at opsets 9–12, each ending in its
/// probability activation, with torch's float64 answers (.work/byom, or $BATCHXAI_BYOM_DIR; redone
/// when the script's SHA-256 changes).
/// </summary>
public sealed class ByomExports
{
    private const string Script = "tests/BatchXai.Tests/Byom/export_byom_nets.py";

    /// <summary>Every net BatchXai explains (the Elu net is the refusal case).</summary>
    public static readonly TheoryData<string> Explained = new()
    {
        "resnet18_op9", "resnet18_op10", "resnet18_op11", "resnet18_op12",
        "mobilenet_v3_small_op9", "mobilenet_v3_small_op10", "mobilenet_v3_small_op11", "mobilenet_v3_small_op12",
        "ops_op9", "ops_op10", "ops_op11", "ops_op12",
        "multilabel_op9", "nhwc_op10",
    };

    /// <summary>The nets with a GAP → linear head, where numpy computed CAM.</summary>
    public static readonly TheoryData<string> GapLinear = new() { "resnet18_op9", "resnet18_op12", "multilabel_op9" };

    public ByomExports() => Folder = PythonExports.Ensure(Script, "byom", "BATCHXAI_BYOM_DIR");

    public string Folder { get; }

    public string Manifest(string net) => Path.Combine(Folder, net, "model.json");

    public NpyArray Array(string net, string name) => NpyFile.Read(File.ReadAllBytes(Path.Combine(Folder, net, name + ".npy")));

    /// <summary>A copy of the net's manifest beside its model with <paramref name="edit"/> applied to the JSON (for the refusal cases).</summary>
    public string EditedManifest(string net, string suffix, Func<string, string> edit)
    {
        var path = Path.Combine(Folder, net, $"model.{suffix}.json");
        File.WriteAllText(path, edit(File.ReadAllText(Manifest(net))));
        return path;
    }
}
