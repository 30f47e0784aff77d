namespace BatchXai.Onnx.Graph;

/// <summary>
/// Base for resolvers that derive a property of a tensor from its producer's inputs,
/// recursively, each tensor once.
/// </summary>
internal abstract class TensorPropertyResolver<T>
{
    private readonly Dictionary<string, T> _memo = new();

    protected TensorPropertyResolver(GraphIndex index) => Index = index;

    protected GraphIndex Index { get; }

    /// <summary>Returned for a tensor met again while it is being resolved (only in a malformed, cyclic graph).</summary>
    protected abstract T Fallback { get; }

    public T Resolve(string tensor)
    {
        if (_memo.TryGetValue(tensor, out var known))
            return known;
        // Mark before recursing so a cycle ends instead of overflowing the stack.
        _memo[tensor] = Fallback;
        var resolved = ResolveUncached(tensor);
        _memo[tensor] = resolved;
        return resolved;
    }

    protected abstract T ResolveUncached(string tensor);
}
