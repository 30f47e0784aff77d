namespace BatchXai.Onnx.Graph;

/// <summary>
/// One dimension of a tensor shape as ONNX declares it: a static size, a named symbol
/// (e.g. "batch"), or unknown. <see cref="Value"/> is -1 unless the dimension is static.
/// </summary>
public readonly record struct TensorDim(long Value, string? Symbol)
{
    public static TensorDim Unknown => new(-1, null);

    public static TensorDim Static(long value) => new(value, null);

    public static TensorDim Symbolic(string symbol) => new(-1, symbol);

    public bool IsStatic => Value >= 0;

    public override string ToString() => IsStatic ? Value.ToString() : Symbol ?? "?";
}
