namespace BatchXai.Onnx.Backward;

/// <summary>
/// Collects the gradient contributions of each tensor (one per consumer on the path) and sums
/// them once, when the tensor's total is first asked for — after all its consumers, since the
/// builder walks the graph in reverse topological order.
/// </summary>
internal sealed class GradientAccumulator(GradientEmitter emitter)
{
    private readonly Dictionary<string, List<string>> _contributions = new();
    private readonly Dictionary<string, string> _totals = new();

    public void Add(string tensor, string gradient)
    {
        if (_totals.ContainsKey(tensor))
            throw new InvalidOperationException($"gradient of '{tensor}' was summed before all its consumers were visited");
        if (!_contributions.TryGetValue(tensor, out var list))
            _contributions[tensor] = list = [];
        list.Add(gradient);
    }

    /// <summary>The summed gradient of <paramref name="tensor"/>, or null when nothing contributed to it.</summary>
    public string? Total(string tensor)
    {
        if (_totals.TryGetValue(tensor, out var total))
            return total;
        if (!_contributions.TryGetValue(tensor, out var list))
            return null;
        total = list.Count == 1 ? list[0] : emitter.Emit("Sum", list);
        _totals[tensor] = total;
        return total;
    }
}
