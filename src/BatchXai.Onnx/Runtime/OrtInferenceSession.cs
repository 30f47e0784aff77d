using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;

namespace BatchXai.Onnx.Runtime;

/// <summary>
/// An ONNX model loaded into ONNX Runtime (the managed API's <see cref="InferenceSession"/>), ready to run,
/// with errors that name the model, inputs and outputs.
/// </summary>
/// <remarks>
/// Thread-safety: <see cref="Run"/> and <see cref="RunInto"/> may be called from many threads at once; ONNX
/// Runtime supports concurrent Run calls and this class keeps no per-call state. Dispose while Runs are in
/// flight does not free the native session under them (it is released when the last one returns), but
/// Runs started after Dispose throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class OrtInferenceSession : IDisposable
{
    /// <summary>Log delegates that have already been told about a CUDA fallback: one line each, not one per session.</summary>
    private static readonly ConditionalWeakTable<Action<string>, object> FallbackReported = new();

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly Dictionary<string, int> _inputIndex;
    private readonly Dictionary<string, int> _outputIndex;
    private readonly string[] _allOutputNames;
    private int _references = 1; // the owner's, dropped by Dispose; each Run holds one more while it runs
    private int _disposed;

    private OrtInferenceSession(string modelSource, InferenceSession session, OrtExecutionProvider provider, string? fallbackReason)
    {
        ModelSource = modelSource;
        _session = session;
        ExecutionProviderInUse = provider;
        FallbackReason = fallbackReason;
        Inputs = session.InputNames.Select(n => Describe(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => Describe(n, session.OutputMetadata[n])).ToArray();
        _inputIndex = Inputs.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _outputIndex = Outputs.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _allOutputNames = [.. session.OutputNames];
    }

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    public static OrtInferenceSession FromFile(string modelPath, OrtSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"ONNX model file not found: {fullPath}", fullPath);
        return Create(fullPath, options, native => new InferenceSession(fullPath, native));
    }

    /// <summary>Loads a model from its serialized bytes (an in-memory .onnx file); ORT copies what it needs.</summary>
    public static OrtInferenceSession FromBytes(byte[] model, OrtSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Length == 0) throw new ArgumentException("The model byte array is empty.", nameof(model));
        return Create($"<in-memory model, {model.Length} bytes>", options, native => new InferenceSession(model, native));
    }

    /// <summary>The model's full path, or a description of an in-memory model; used in error messages.</summary>
    public string ModelSource { get; }

    public IReadOnlyList<OrtTensorMetadata> Inputs { get; }
    public IReadOnlyList<OrtTensorMetadata> Outputs { get; }

    /// <summary>The provider the session actually runs on (CPU when a requested CUDA provider was unavailable).</summary>
    public OrtExecutionProvider ExecutionProviderInUse { get; }

    /// <summary>Why the requested provider could not be used (what is missing, or ONNX Runtime's message); null when none was refused.</summary>
    public string? FallbackReason { get; }

    /// <summary>
    /// Runs the model. Inputs wrap caller memory (pinned for this call only); the result owns the outputs
    /// and must be disposed.
    /// </summary>
    /// <param name="inputs">Every model input, by name, in any order.</param>
    /// <param name="outputNames">Outputs to compute, in the order wanted; none means all, in model order.</param>
    public OrtRunResult Run(ReadOnlySpan<OrtInputTensor> inputs, params ReadOnlySpan<string> outputNames)
    {
        var inputNames = ResolveInputs(inputs);
        string[] resultNames = outputNames.IsEmpty ? _allOutputNames : ResolveOutputs(outputNames);
        var values = CreateInputValues(inputs);
        AddReference();
        try
        {
            IDisposableReadOnlyCollection<OrtValue> outputs;
            try
            {
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                outputs = _session.Run(_runOptions, inputNames, values, resultNames);
                OrtMetrics.Record(started, ExecutionProviderInUse);
            }
            catch (OnnxRuntimeException e)
            {
                throw OrtException.From(e, "Run", ModelSource);
            }
            return new OrtRunResult(resultNames, outputs);
        }
        finally
        {
            ReleaseReference();
            DisposeAll(values);
        }
    }

    /// <summary>
    /// Runs the model writing each requested float32 output into the caller's memory (see <see cref="OrtOutputBuffer"/>):
    /// the hot path's form, which allocates no output tensors when the shapes are known. Each destination must hold
    /// exactly the output's values.
    /// </summary>
    public void RunInto(ReadOnlySpan<OrtInputTensor> inputs, ReadOnlySpan<OrtOutputBuffer> outputs)
    {
        var inputNames = ResolveInputs(inputs);
        var outputNames = new string[outputs.Length];
        var shapes = new long[]?[outputs.Length];
        var bindAll = true;
        for (var i = 0; i < outputs.Length; i++)
        {
            if (!_outputIndex.TryGetValue(outputs[i].Name, out var index)) throw UnknownName("output", outputs[i].Name, Outputs);
            outputNames[i] = outputs[i].Name;
            shapes[i] = BindableShape(Outputs[index], outputs[i].Destination.Length);
            bindAll &= shapes[i] is not null;
        }

        var values = CreateInputValues(inputs);
        var bound = new OrtValue?[bindAll ? outputs.Length : 0];
        AddReference();
        try
        {
            for (var i = 0; i < bound.Length; i++)
            {
                bound[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, outputs[i].Destination, shapes[i]!);
                OrtRuntime.ValueCreated();
            }
            try
            {
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                if (bindAll)
                {
                    _session.Run(_runOptions, inputNames, values, outputNames, bound!);
                    OrtMetrics.Record(started, ExecutionProviderInUse);
                    return;
                }
                // An output whose shape cannot be known beforehand: ORT allocates every output of this call, copied out.
                using var result = new OrtRunResult(outputNames, _session.Run(_runOptions, inputNames, values, outputNames));
                OrtMetrics.Record(started, ExecutionProviderInUse);
                for (var i = 0; i < outputs.Length; i++) result[i].CopyExactlyTo(outputs[i].Destination.Span, ModelSource);
            }
            catch (OnnxRuntimeException e)
            {
                throw OrtException.From(e, "Run", ModelSource);
            }
        }
        finally
        {
            ReleaseReference();
            DisposeAll(values);
            DisposeAll(bound);
        }
    }

    /// <summary>Releases the native session (once no Run is using it). Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) ReleaseReference();
    }

    public override string ToString() =>
        $"{ModelSource} on {ExecutionProviderInUse}: ({string.Join("; ", Inputs)}) -> ({string.Join("; ", Outputs)})";

    /// <summary>
    /// The concrete shape of an output of <paramref name="length"/> values when its metadata leaves exactly one
    /// dimension open (ONNX Runtime needs a bound buffer's exact shape); null when that cannot be known beforehand.
    /// </summary>
    private static long[]? BindableShape(OrtTensorMetadata output, int length)
    {
        if (!output.IsTensor || output.ElementType != OrtElementType.Float) return null;
        long known = 1;
        var open = -1;
        for (var d = 0; d < output.Rank; d++)
        {
            if (output.Shape[d] >= 0) known *= output.Shape[d];
            else if (open >= 0) return null;
            else open = d;
        }
        if (open < 0 || known == 0 || length % known != 0) return null;
        var shape = output.Shape.ToArray();
        shape[open] = length / known;
        return shape;
    }

    private string[] ResolveInputs(ReadOnlySpan<OrtInputTensor> inputs)
    {
        if (inputs.IsEmpty) throw new ArgumentException($"Run needs inputs; {ModelSource} expects: {string.Join(", ", Inputs)}.", nameof(inputs));
        var names = new string[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i].Validate();
            if (!_inputIndex.ContainsKey(inputs[i].Name)) throw UnknownName("input", inputs[i].Name, Inputs);
            names[i] = inputs[i].Name;
        }
        return names;
    }

    private string[] ResolveOutputs(ReadOnlySpan<string> outputNames)
    {
        var names = outputNames.ToArray();
        foreach (var name in names)
            if (!_outputIndex.ContainsKey(name)) throw UnknownName("output", name, Outputs);
        return names;
    }

    private OrtValue[] CreateInputValues(ReadOnlySpan<OrtInputTensor> inputs)
    {
        var values = new OrtValue[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                values[i] = inputs[i].ToOrtValue();
                OrtRuntime.ValueCreated();
            }
            return values;
        }
        catch (OnnxRuntimeException e)
        {
            DisposeAll(values);
            throw OrtException.From(e, "CreateTensor", ModelSource);
        }
    }

    private static void DisposeAll(OrtValue?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is null) continue;
            values[i]!.Dispose();
            values[i] = null;
            OrtRuntime.ValueReleased();
        }
    }

    private void AddReference()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            ObjectDisposedException.ThrowIf(current == 0 || Volatile.Read(ref _disposed) != 0, this);
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current) return;
        }
    }

    private void ReleaseReference()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        _session.Dispose();
        _runOptions.Dispose();
    }

    private ArgumentException UnknownName(string kind, string name, IReadOnlyList<OrtTensorMetadata> known) =>
        new($"Model {ModelSource} has no {kind} named '{name}'; its {kind}s are: {string.Join(", ", known)}.");

    private static OrtTensorMetadata Describe(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor) return new OrtTensorMetadata(name, false, OrtElementType.Undefined, [], []);
        var shape = metadata.Dimensions.Select(d => (long)d).ToArray();
        var symbolic = metadata.SymbolicDimensions.Select(s => string.IsNullOrEmpty(s) ? null : s).ToArray();
        return new OrtTensorMetadata(name, true, (OrtElementType)(int)metadata.ElementDataType, shape, symbolic);
    }

    private static OrtInferenceSession Create(string modelSource, OrtSessionOptions? options, Func<SessionOptions, InferenceSession> open)
    {
        options ??= OrtSessionOptions.Default;
        options.Validate();
        var runtime = OrtRuntime.Shared;

        string? fallbackReason = null;
        if (options.ExecutionProvider == OrtExecutionProvider.Cuda)
        {
            var cuda = runtime.Cuda(options.CudaDeviceId);
            fallbackReason = cuda.Reason;
            if (cuda.Usable)
            {
                try
                {
                    using var cudaOptions = options.CreateNative(withCuda: true);
                    return new OrtInferenceSession(modelSource, open(cudaOptions), OrtExecutionProvider.Cuda, null);
                }
                catch (OnnxRuntimeException e)
                {
                    // Provider loaded but unusable for this session (no GPU, driver or CUDA mismatch): retry on CPU below;
                    // a fault in the model itself fails again there and is reported from that attempt.
                    fallbackReason = $"creating the session with the CUDA provider failed: {e.Message}";
                }
            }
            ReportFallback(options, runtime, modelSource, fallbackReason!);
        }

        using var cpuOptions = options.CreateNative(withCuda: false);
        try
        {
            return new OrtInferenceSession(modelSource, open(cpuOptions), OrtExecutionProvider.Cpu, fallbackReason);
        }
        catch (OnnxRuntimeException e)
        {
            throw OrtException.From(e, "CreateSession", modelSource);
        }
    }

    private static void ReportFallback(OrtSessionOptions options, OrtRuntime runtime, string modelSource, string reason)
    {
        if (options.Log is not { } log || !FallbackReported.TryAdd(log, FallbackReported)) return;
        log($"CUDA execution provider requested (device {options.CudaDeviceId}) but unavailable, running on CPU: {reason} " +
            $"[ONNX Runtime {runtime.Version}, {OrtRuntime.Flavor} package; first model {modelSource}]");
    }
}
