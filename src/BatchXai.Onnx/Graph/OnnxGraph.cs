using System.Security.Cryptography;
using BatchXai.Onnx.Graph.Upgrade;
using BatchXai.Onnx.Proto;
using Google.Protobuf;

namespace BatchXai.Onnx.Graph;

/// <summary>
/// A parsed ONNX model with the questions BatchXai asks of it answered: inputs to feed,
/// outputs, shapes, who produces a tensor, the default-domain opset, and the SHA-256 of the
/// source bytes (the cache key for models prepared from it).
/// </summary>
public sealed class OnnxGraph
{
    private readonly GraphIndex _index;

    private OnnxGraph(ModelProto model, string source, string sha256, OpsetUpgrade? upgrade)
    {
        Model = model;
        Upgrade = upgrade;
        Source = source;
        Sha256 = sha256;
        _index = new GraphIndex(model.Graph);
        Inputs = _index.Inputs.Select(TensorInfo.FromValueInfo).ToArray();
        Outputs = model.Graph.Output.Select(TensorInfo.FromValueInfo).ToArray();
        ValueInfos = _index.AllDeclared.Select(TensorInfo.FromValueInfo).ToDictionary(t => t.Name);
        OpsetVersion = OpsetUpgrader.DefaultOpset(model);
    }

    public static OnnxGraph Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxGraphException($"{path}: cannot read the ONNX model: {e.Message}", e);
        }
        return FromBytes(bytes, path);
    }

    /// <param name="source">What to call the model in error messages (usually its path).</param>
    public static OnnxGraph FromBytes(byte[] bytes, string source = "<bytes>")
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxGraphException($"{source}: not an ONNX model (protobuf parse failed: {e.Message})", e);
        }
        if (model.Graph is null)
            throw new OnnxGraphException($"{source}: the ONNX model has no graph");
        // Models exported at opsets 7–12 are brought to 13 here, in memory, so every later edit sees one form per op.
        OpsetUpgrade? upgrade;
        try
        {
            (model, upgrade) = OpsetUpgrader.Upgrade(model);
        }
        catch (OnnxGraphException e)
        {
            throw new OnnxGraphException($"{source}: {e.Message}", e);
        }
        return new OnnxGraph(model, source, Convert.ToHexStringLower(SHA256.HashData(bytes)), upgrade);
    }

    /// <summary>Set when the model was exported at an opset older than 13 and upgraded in memory: from which opset, what changed.</summary>
    public OpsetUpgrade? Upgrade { get; }

    /// <summary>The default-domain opset the model was exported at (before any upgrade).</summary>
    public long ExportedOpset => Upgrade?.SourceOpset ?? OpsetVersion;

    /// <summary>The parsed model (at opset 13 or later, see <see cref="Upgrade"/>). Edit a clone (GraphEditor does) — this instance's indexes do not follow edits.</summary>
    public ModelProto Model { get; }

    public string Source { get; }

    /// <summary>Lower-case hex SHA-256 of the bytes the model was read from.</summary>
    public string Sha256 { get; }

    /// <summary>Inputs to feed, initializers excluded, in declaration order.</summary>
    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>Every declared tensor shape: value_info, graph inputs and graph outputs.</summary>
    public IReadOnlyDictionary<string, TensorInfo> ValueInfos { get; }

    /// <summary>Opset version of the default ("" / "ai.onnx") domain after any upgrade; 0 when not imported.</summary>
    public long OpsetVersion { get; }

    public long IrVersion => Model.IrVersion;

    public IReadOnlyList<NodeProto> Nodes => Model.Graph.Node;

    /// <summary>The node that outputs <paramref name="tensor"/>, or null (graph inputs, initializers, unknown names).</summary>
    public NodeProto? Producer(string tensor) => _index.Producer(tensor);

    /// <summary>True for node outputs, graph inputs and initializers.</summary>
    public bool IsTensor(string name) => _index.IsTensor(name);

    public bool IsInitializer(string name) => _index.Initializers.Contains(name);

    /// <summary>Element type from value info when declared, else inferred from the producer (FLOAT by default).</summary>
    public TensorProto.Types.DataType ElementType(string tensor) => _index.ElementTypes.Resolve(tensor);

    /// <summary>A few existing tensor names to suggest in place of a wrong one.</summary>
    public IReadOnlyList<string> SuggestTensors(string wrongName, int max = 5) => _index.SuggestTensors(wrongName, max);

    public byte[] ToBytes() => Model.ToByteArray();

    /// <summary>The same source (path, SHA-256, upgrade) with an edited model, e.g. a channels-first view added.</summary>
    public OnnxGraph WithModel(ModelProto edited) => new(edited, Source, Sha256, Upgrade);
}
