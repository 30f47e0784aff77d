using System.Text.Json;
using BatchXai.Onnx.Graph;

namespace BatchXai.Tests.Graph;

/// <summary>
/// The models exported by make_graph_fixtures.py and the facts it recorded with python onnx and
/// torch (Fixtures/&lt;name&gt;.expected.json) — the independent reference the tests compare to.
/// </summary>
public static class GraphFixtures
{
    public const string GapLinear = "tiny_gap_linear";
    public const string MlpHead = "tiny_mlp_head";
    /// <summary>Reshapes with the batch size read from the graph input (Shape → Gather → Reshape).</summary>
    public const string InputShapeHead = "tiny_input_shape_head";
    public const string TargetLayer = "/features/features.5/Relu_output_0";

    public static readonly TheoryData<string> All = new() { GapLinear, MlpHead, InputShapeHead };

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Graph", "Fixtures");

    public static string OnnxPath(string name) => Path.Combine(Folder, name + ".onnx");

    public static byte[] OnnxBytes(string name) => File.ReadAllBytes(OnnxPath(name));

    public static OnnxGraph Load(string name) => OnnxGraph.Load(OnnxPath(name));

    public static JsonElement Expected(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".expected.json"))).RootElement;

    public static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    /// <summary>Python writes a dim as an int or a symbol name; null dims mean an unknown rank.</summary>
    public static string? DimsText(JsonElement dims) =>
        dims.ValueKind == JsonValueKind.Null
            ? null
            : string.Join(",", dims.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetInt64().ToString()));

    public static string? DimsText(TensorInfo info) => info.Dims is null ? null : string.Join(",", info.Dims.Select(d => d.ToString()));
}
