using BatchXai.Onnx.Proto;
using AttributeType = BatchXai.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace BatchXai.Onnx.Backward;

/// <summary>Reading the attributes of forward nodes and making those of backward nodes.</summary>
internal static class NodeAttributes
{
    public static AttributeProto? Find(this NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long Int(this NodeProto node, string name, long fallback) => node.Find(name) is { } a ? a.I : fallback;

    public static float Float(this NodeProto node, string name, float fallback) => node.Find(name) is { } a ? a.F : fallback;

    public static string String(this NodeProto node, string name, string fallback) =>
        node.Find(name) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>The ints of <paramref name="name"/>, or null when the node does not set it.</summary>
    public static long[]? Ints(this NodeProto node, string name) => node.Find(name) is { } a ? a.Ints.ToArray() : null;

    /// <summary>Input <paramref name="index"/> when the node has it and it is not the empty "absent" name.</summary>
    public static string? OptionalInput(this NodeProto node, int index) =>
        node.Input.Count > index && node.Input[index].Length > 0 ? node.Input[index] : null;

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, IEnumerable<long> values) => new() { Name = name, Type = AttributeType.Ints, Ints = { values } };

    public static AttributeProto Attr(string name, TensorProto value) => new() { Name = name, Type = AttributeType.Tensor, T = value };
}
