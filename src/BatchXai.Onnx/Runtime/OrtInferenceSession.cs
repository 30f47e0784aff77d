using System.Buffers;
using BatchXai.Onnx.Runtime.Native;

namespace BatchXai.Onnx.Runtime;

/// <summary>
/// An ONNX model loaded into ONNX Runtime, ready to run.
/// </summary>
/// <remarks>
/// Thread-safety: <see cref="Run"/> may be called from many threads at once on one session; ONNX
/// Runtime supports concurrent Run calls, and this class keeps no per-call state. Each call returns its
/// own <see cref="OrtRunResult"/>. Dispose while Runs are in flight does not free the native session
/// under them (it is released when the last one returns), but Runs started after Dispose throw
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed unsafe class OrtInferenceSession : IDisposable
{
    /// <summary>Inputs/outputs up to this count keep their per-Run pointer arrays on the stack.</summary>
    private const int StackArrayLimit = 16;
    private const int ArenaAllocator = 1; // OrtArenaAllocator
    private const int MemTypeDefault = 0; // OrtMemTypeDefault

    private delegate IntPtr NativeCreate(OrtApi api, IntPtr env, IntPtr options, IntPtr* session);

    private readonly OrtNativeHandle _session;
    private readonly OrtNativeHandle _cpuMemoryInfo;
    private readonly NativeNameTable _inputNames;
    private readonly NativeNameTable _outputNames;

    private OrtInferenceSession(OrtRuntime runtime, string modelSource, OrtNativeHandle session,
                                OrtExecutionProvider provider, string? fallbackReason)
    {
        Runtime = runtime;
        ModelSource = modelSource;
        _session = session;
        ExecutionProviderInUse = provider;
        FallbackReason = fallbackReason;
        try
        {
            var api = runtime.Api;
            IntPtr memoryInfo;
            api.Check(api.CreateCpuMemoryInfo(ArenaAllocator, MemTypeDefault, &memoryInfo), "CreateCpuMemoryInfo");
            _cpuMemoryInfo = new OrtNativeHandle(memoryInfo, api.ReleaseMemoryInfo);
            var raw = session.DangerousGetHandle();
            Inputs = SessionMetadataReader.ReadInputs(runtime, raw);
            Outputs = SessionMetadataReader.ReadOutputs(runtime, raw);
            _inputNames = new NativeNameTable(Inputs);
            _outputNames = new NativeNameTable(Outputs);
        }
        catch
        {
            _cpuMemoryInfo?.Dispose();
            session.Dispose();
            throw;
        }
    }

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    /// <param name="runtime">The runtime to use; <see cref="OrtRuntime.Shared"/> when null.</param>
    public static OrtInferenceSession FromFile(string modelPath, OrtSessionOptions? options = null, OrtRuntime? runtime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"ONNX model file not found: {fullPath}", fullPath);

        return Create(fullPath, options, runtime, (api, env, opts, session) =>
        {
            // ORTCHAR_T is wchar_t (UTF-16) on Windows and UTF-8 char elsewhere.
            if (OperatingSystem.IsWindows())
            {
                fixed (char* path = fullPath) return api.CreateSession(env, path, opts, session);
            }
            var utf8 = System.Text.Encoding.UTF8.GetBytes(fullPath + "\0");
            fixed (byte* path = utf8) return api.CreateSession(env, path, opts, session);
        });
    }

    /// <summary>Loads a model from its serialized bytes (an in-memory .onnx file); ORT copies what it needs.</summary>
    public static OrtInferenceSession FromBytes(byte[] model, OrtSessionOptions? options = null, OrtRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Length == 0) throw new ArgumentException("The model byte array is empty.", nameof(model));

        return Create($"<in-memory model, {model.Length} bytes>", options, runtime, (api, env, opts, session) =>
        {
            fixed (byte* data = model) return api.CreateSessionFromArray(env, data, (nuint)model.Length, opts, session);
        });
    }

    public OrtRuntime Runtime { get; }

    /// <summary>The model's full path, or a description of an in-memory model; used in error messages.</summary>
    public string ModelSource { get; }

    public IReadOnlyList<OrtTensorMetadata> Inputs { get; }
    public IReadOnlyList<OrtTensorMetadata> Outputs { get; }

    /// <summary>The provider the session actually runs on (CPU when a requested CUDA provider was unavailable).</summary>
    public OrtExecutionProvider ExecutionProviderInUse { get; }

    /// <summary>Why the requested provider could not be used (ONNX Runtime's message); null when none was refused.</summary>
    public string? FallbackReason { get; }

    /// <summary>
    /// Runs the model. Inputs wrap caller memory (pinned for this call only); the result owns the outputs
    /// and must be disposed.
    /// </summary>
    /// <param name="inputs">Every model input, by name, in any order.</param>
    /// <param name="outputNames">Outputs to compute, in the order wanted; none means all, in model order.</param>
    public OrtRunResult Run(ReadOnlySpan<OrtInputTensor> inputs, params ReadOnlySpan<string> outputNames)
    {
        if (inputs.IsEmpty) throw new ArgumentException($"Run needs inputs; {ModelSource} expects: {string.Join(", ", Inputs)}.", nameof(inputs));
        var api = Runtime.Api;
        var inputCount = inputs.Length;
        var outputCount = outputNames.IsEmpty ? _outputNames.Count : outputNames.Length;

        Span<IntPtr> inputNamePtrs = inputCount <= StackArrayLimit ? stackalloc IntPtr[inputCount] : new IntPtr[inputCount];
        Span<IntPtr> inputValues = inputCount <= StackArrayLimit ? stackalloc IntPtr[inputCount] : new IntPtr[inputCount];
        inputValues.Clear();
        ResolveInputNames(inputs, inputNamePtrs);

        // Empty when all outputs are wanted: the session's cached pointer array is passed instead.
        Span<IntPtr> requestedOutputs = outputNames.Length <= StackArrayLimit
            ? stackalloc IntPtr[outputNames.Length] : new IntPtr[outputNames.Length];
        var resultNames = outputNames.IsEmpty ? _outputNames.Names : ResolveOutputNames(outputNames, requestedOutputs);
        ReadOnlySpan<IntPtr> outputNamePtrs = outputNames.IsEmpty ? _outputNames.AllPointers : requestedOutputs;

        var pins = ArrayPool<MemoryHandle>.Shared.Rent(inputCount);
        var result = new OrtRunResult(api, resultNames);
        bool sessionAdded = false, memoryInfoAdded = false;
        try
        {
            _session.DangerousAddRef(ref sessionAdded);
            _cpuMemoryInfo.DangerousAddRef(ref memoryInfoAdded);
            var memoryInfo = _cpuMemoryInfo.DangerousGetHandle();
            for (var i = 0; i < inputCount; i++)
            {
                pins[i] = inputs[i].Pin();
                inputValues[i] = CreateInputValue(api, memoryInfo, inputs[i], pins[i]);
            }

            IntPtr status;
            fixed (IntPtr* inNames = inputNamePtrs, inValues = inputValues, outNames = outputNamePtrs, outValues = result.NativeValues)
            {
                status = api.Run(_session.DangerousGetHandle(), IntPtr.Zero, inNames, inValues, (nuint)inputCount,
                                 outNames, (nuint)outputCount, outValues);
            }
            result.AdoptNativeValues();
            api.Check(status, "Run", ModelSource);
            result.ReadOutputInfo();
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
        finally
        {
            for (var i = 0; i < inputCount; i++)
            {
                api.ReleaseTrackedValue(inputValues[i]);
                pins[i].Dispose();
            }
            ArrayPool<MemoryHandle>.Shared.Return(pins, clearArray: true);
            if (memoryInfoAdded) _cpuMemoryInfo.DangerousRelease();
            if (sessionAdded) _session.DangerousRelease();
        }
    }

    /// <summary>Releases the native session and memory info. Idempotent.</summary>
    public void Dispose()
    {
        _session.Dispose();
        _cpuMemoryInfo.Dispose();
    }

    public override string ToString() =>
        $"{ModelSource} on {ExecutionProviderInUse}: ({string.Join("; ", Inputs)}) -> ({string.Join("; ", Outputs)})";

    /// <summary>Validates each input and writes the cached UTF-8 name pointer for it.</summary>
    private void ResolveInputNames(ReadOnlySpan<OrtInputTensor> inputs, Span<IntPtr> namePointers)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i].Validate();
            if (!_inputNames.TryGetIndex(inputs[i].Name, out var index))
                throw UnknownName("input", inputs[i].Name, Inputs);
            namePointers[i] = _inputNames[index];
        }
    }

    /// <summary>Writes the cached UTF-8 name pointer of each requested output; returns the names for the result.</summary>
    private string[] ResolveOutputNames(ReadOnlySpan<string> outputNames, Span<IntPtr> namePointers)
    {
        var names = new string[outputNames.Length];
        for (var i = 0; i < outputNames.Length; i++)
        {
            if (!_outputNames.TryGetIndex(outputNames[i], out var index))
                throw UnknownName("output", outputNames[i], Outputs);
            namePointers[i] = _outputNames[index];
            names[i] = outputNames[i];
        }
        return names;
    }

    /// <summary>Wraps the pinned input memory in an OrtValue (no copy); the caller releases it after Run.</summary>
    private IntPtr CreateInputValue(OrtApi api, IntPtr memoryInfo, in OrtInputTensor input, MemoryHandle pinned)
    {
        IntPtr value, status;
        fixed (long* shape = input.Shape)
        {
            status = api.CreateTensorWithDataAsOrtValue(memoryInfo, pinned.Pointer, (nuint)input.ByteLength,
                                                        shape, (nuint)input.Shape.Length, (int)input.ElementType, &value);
        }
        // The message is only built on failure: this runs once per input per Run.
        if (status != IntPtr.Zero) throw api.ToException(status, "CreateTensorWithDataAsOrtValue", $"input '{input.Name}' of {ModelSource}");
        OrtApi.TrackValue();
        return value;
    }

    private ArgumentException UnknownName(string kind, string name, IReadOnlyList<OrtTensorMetadata> known) =>
        new($"Model {ModelSource} has no {kind} named '{name}'; its {kind}s are: {string.Join(", ", known)}.");

    private static OrtInferenceSession Create(string modelSource, OrtSessionOptions? options, OrtRuntime? runtime, NativeCreate create)
    {
        options ??= OrtSessionOptions.Default;
        options.Validate();
        runtime ??= OrtRuntime.Shared;
        var api = runtime.Api;

        string? fallbackReason = null;
        if (options.ExecutionProvider == OrtExecutionProvider.Cuda)
        {
            using var cudaOptions = NativeSessionOptions.CreateCpu(api, options);
            fallbackReason = NativeSessionOptions.TryAppendCuda(api, cudaOptions, options.CudaDeviceId);
            if (fallbackReason is null)
            {
                IntPtr cudaSession;
                var status = create(api, runtime.Env, cudaOptions.DangerousGetHandle(), &cudaSession);
                if (status == IntPtr.Zero)
                    return new OrtInferenceSession(runtime, modelSource, new OrtNativeHandle(cudaSession, api.ReleaseSession),
                                                   OrtExecutionProvider.Cuda, null);
                // Provider libraries present but unusable (no GPU, driver or CUDA mismatch): retry on CPU below;
                // a fault in the model itself fails again there and is reported from that attempt.
                var (code, message) = api.TakeError(status);
                fallbackReason = $"CreateSession with the CUDA provider failed ({code}): {message}";
            }
            options.Log?.Invoke(
                $"CUDA execution provider requested (device {options.CudaDeviceId}) for {modelSource} but unavailable; " +
                $"running on CPU. Reason: {fallbackReason} -- For GPU inference, put libonnxruntime_providers_cuda.so and " +
                $"libonnxruntime_providers_shared.so from the ONNX Runtime {runtime.Version} GPU build beside {runtime.LibraryPath} " +
                "and install the CUDA and cuDNN versions that build requires.");
        }

        using var cpuOptions = NativeSessionOptions.CreateCpu(api, options);
        IntPtr cpuSession;
        api.Check(create(api, runtime.Env, cpuOptions.DangerousGetHandle(), &cpuSession), "CreateSession", modelSource);
        return new OrtInferenceSession(runtime, modelSource, new OrtNativeHandle(cpuSession, api.ReleaseSession),
                                       OrtExecutionProvider.Cpu, fallbackReason);
    }
}
