using BatchXai.Onnx.Runtime.Native;

namespace BatchXai.Onnx.Runtime;

/// <summary>
/// The outputs of one <see cref="OrtInferenceSession.Run"/>, in the order requested. Owns the native
/// OrtValues: Dispose releases them all (the finalizer does it too, as a safety net, for results that
/// are never disposed). Not thread-safe against Dispose: finish reading before disposing.
/// </summary>
public sealed unsafe class OrtRunResult : IDisposable
{
    private const int OnnxTypeTensor = 1; // ONNX_TYPE_TENSOR

    internal readonly record struct OutputInfo(bool IsTensor, OrtElementType ElementType, long[] Shape, long ElementCount, IntPtr Data);

    private readonly OrtApi _api;
    private readonly string[] _names;
    private readonly OutputInfo[] _infos;
    private int _disposed;

    internal OrtRunResult(OrtApi api, string[] names)
    {
        _api = api;
        _names = names;
        _infos = new OutputInfo[names.Length];
        NativeValues = new IntPtr[names.Length];
    }

    ~OrtRunResult() => ReleaseValues();

    /// <summary>Slots Run writes the output OrtValue pointers into.</summary>
    internal IntPtr[] NativeValues { get; }

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

    /// <summary>Counts the OrtValues Run produced as owned; call right after Run, before anything can throw.</summary>
    internal void AdoptNativeValues()
    {
        foreach (var value in NativeValues)
            if (value != IntPtr.Zero) OrtApi.TrackValue();
    }

    /// <summary>Reads type, shape and data pointer of every output once, so reads need no native calls.</summary>
    internal void ReadOutputInfo()
    {
        for (var i = 0; i < NativeValues.Length; i++)
        {
            var value = NativeValues[i];
            int valueType;
            _api.Check(_api.GetValueType(value, &valueType), "GetValueType", "output", _names[i]);
            if (valueType != OnnxTypeTensor)
            {
                _infos[i] = new OutputInfo(false, OrtElementType.Undefined, [], 0, IntPtr.Zero);
                continue;
            }

            IntPtr typeAndShape;
            _api.Check(_api.GetTensorTypeAndShape(value, &typeAndShape), "GetTensorTypeAndShape", "output", _names[i]);
            try
            {
                var (elementType, shape) = SessionMetadataReader.ReadTypeAndShape(_api, typeAndShape, "output", _names[i]);
                nuint count;
                _api.Check(_api.GetTensorShapeElementCount(typeAndShape, &count), "GetTensorShapeElementCount", "output", _names[i]);
                void* data;
                _api.Check(_api.GetTensorMutableData(value, &data), "GetTensorMutableData", "output", _names[i]);
                _infos[i] = new OutputInfo(true, elementType, shape, (long)count, (IntPtr)data);
            }
            finally
            {
                _api.ReleaseTensorTypeAndShapeInfo(typeAndShape);
            }
        }
    }

    private void ReleaseValues()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        for (var i = 0; i < NativeValues.Length; i++)
        {
            _api.ReleaseTrackedValue(NativeValues[i]);
            NativeValues[i] = IntPtr.Zero;
        }
    }
}
