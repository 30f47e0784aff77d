using Microsoft.ML.OnnxRuntime;

namespace BatchXai.Onnx.Runtime;

/// <summary>
/// The outputs of one <see cref="OrtInferenceSession.Run"/>, in the order requested. Owns their OrtValues:
/// Dispose releases them all (the finalizer does it too, as a safety net, for results that are never
/// disposed). Not thread-safe against Dispose: finish reading before disposing.
/// </summary>
public sealed class OrtRunResult : IDisposable
{
    internal readonly record struct OutputInfo(bool IsTensor, OrtElementType ElementType, long[] Shape, long ElementCount);

    private readonly string[] _names;
    private readonly OrtValue[] _values;
    private readonly OutputInfo[] _infos;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="values"/> (as ORT returned them, one per name).</summary>
    internal OrtRunResult(string[] names, IReadOnlyCollection<OrtValue> values)
    {
        _names = names;
        _values = [.. values];
        foreach (var _ in _values) OrtRuntime.ValueCreated();
        try
        {
            _infos = _values.Select(ReadInfo).ToArray();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    ~OrtRunResult() => ReleaseValues();

    public int Count => _names.Length;

    /// <summary>Output names in result order.</summary>
    public IReadOnlyList<string> Names => _names;

    public OrtOutputTensor this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_names.Length)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"This result has {_names.Length} outputs.");
            return new OrtOutputTensor(this, index);
        }
    }

    /// <summary>The output named <paramref name="name"/>; throws listing the available names if absent.</summary>
    public OrtOutputTensor this[string name]
    {
        get
        {
            var index = Array.IndexOf(_names, name);
            if (index < 0)
                throw new KeyNotFoundException($"This result has no output named '{name}'; it has: {string.Join(", ", _names)}.");
            return new OrtOutputTensor(this, index);
        }
    }

    public void Dispose()
    {
        ReleaseValues();
        GC.SuppressFinalize(this);
    }

    internal string NameAt(int index) => _names[index];

    internal OutputInfo InfoAt(int index)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _infos[index];
    }

    internal OrtValue ValueAt(int index)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _values[index];
    }

    /// <summary>Type and shape of an output, read once so that reads need no further native calls.</summary>
    private static OutputInfo ReadInfo(OrtValue value)
    {
        if (!value.IsTensor) return new OutputInfo(false, OrtElementType.Undefined, [], 0);
        var info = value.GetTensorTypeAndShape();
        return new OutputInfo(true, (OrtElementType)(int)info.ElementDataType, info.Shape, info.ElementCount);
    }

    private void ReleaseValues()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var value in _values)
        {
            value.Dispose();
            OrtRuntime.ValueReleased();
        }
    }
}
