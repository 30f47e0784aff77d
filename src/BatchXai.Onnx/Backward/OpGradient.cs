using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Backward;

/// <summary>
/// The backward rule of one op: given the gradients of the node's outputs, emits nodes that
/// compute the gradients of its inputs. Returns one entry per node input; an entry may be
/// null only where <see cref="GradientContext.Needs"/> is false for that input.
/// </summary>
internal delegate string?[] OpGradient(GradientContext context);

/// <summary>What an op rule works with.</summary>
/// <param name="OutputGrads">Per node output: its gradient tensor, or null when nothing downstream uses it.</param>
/// <param name="NeededInputs">Per node input: whether it lies on a path from the graph input (needs a gradient).</param>
internal sealed record GradientContext(
    NodeProto Node,
    IReadOnlyList<string?> OutputGrads,
    IReadOnlyList<bool> NeededInputs,
    GradientEmitter Emit,
    GradientRule Rule)
{
    /// <summary>The gradient of output 0, which every single-output rule reads.</summary>
    public string Grad => OutputGrads[0] ?? throw Unsupported("its first output has no gradient");

    public string Input(int index) => Node.Input[index];

    public string Output(int index) => Node.Output[index];

    public bool Needs(int input) => NeededInputs[input];

    /// <summary>A result holding <paramref name="grads"/> for the leading inputs and null for the rest.</summary>
    public string?[] Result(params string?[] grads)
    {
        var result = new string?[Node.Input.Count];
        Array.Copy(grads, result, Math.Min(grads.Length, result.Length));
        return result;
    }

    /// <summary>Fails when a computed (non-constant) input other than the data inputs needs a gradient, e.g. a Conv weight.</summary>
    public void RequireConstant(params int[] inputs)
    {
        foreach (var i in inputs)
            if (i < Node.Input.Count && Needs(i))
                throw Unsupported($"input {i} ('{Node.Input[i]}') depends on the graph input; only constant weights are supported there");
    }

    public int Rank(string tensor) => Emit.Rank(tensor, Node, Rule);

    public UnsupportedOpException Unsupported(string reason) => new(Node, Rule, Emit.ExportedOpset, reason);
}
