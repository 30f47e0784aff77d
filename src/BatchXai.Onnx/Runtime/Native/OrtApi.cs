using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BatchXai.Onnx.Runtime.Native;

/// <summary>
/// Typed view of the native <c>OrtApi</c> function table: each field is an unmanaged function pointer
/// read once from the table slot named in <see cref="OrtApiOrdinals"/>.
/// </summary>
/// <remarks>
/// Every status-returning entry returns an <c>OrtStatus*</c> (null on success) as <see cref="IntPtr"/>;
/// pass it to <see cref="Check(IntPtr, string, string?)"/>. C enums travel as <see cref="int"/>,
/// <c>size_t</c> as <see cref="nuint"/>. The ORT C API uses the platform C calling convention
/// (<c>ORT_API_CALL</c> is empty off Windows), hence <c>Cdecl</c>.
/// </remarks>
internal sealed unsafe class OrtApi
{
    private static long s_liveValues;

    public readonly delegate* unmanaged[Cdecl]<IntPtr, int> GetErrorCode;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*> GetErrorMessage;
    public readonly delegate* unmanaged[Cdecl]<int, byte*, IntPtr*, IntPtr> CreateEnv;
    /// <summary>(env, model path: UTF-8 <c>char*</c>, or UTF-16 <c>wchar_t*</c> on Windows, options, out session).</summary>
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr, IntPtr*, IntPtr> CreateSession;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr> CreateSessionFromArray;
    /// <summary>(session, run options, input names, inputs, input count, output names, output count, outputs).</summary>
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr> Run;

    public readonly delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> CreateSessionOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetSessionExecutionMode;
    /// <summary>(options, profile file prefix: UTF-8 <c>char*</c> off Windows). The JSON is written when the session is released.</summary>
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr> EnableProfiling;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetIntraOpNumThreads;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetInterOpNumThreads;

    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> SessionGetInputCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> SessionGetOutputCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;

    /// <summary>(memory info, data, data length in bytes, shape, rank, element type, out value).</summary>
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void**, IntPtr> GetTensorMutableData;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr> GetOnnxTypeFromTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr> GetTensorElementType;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> GetDimensionsCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr> GetDimensions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte**, nuint, IntPtr> GetSymbolicDimensions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> GetTensorShapeElementCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShape;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr> GetValueType;

    public readonly delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr> AllocatorFree;
    public readonly delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;

    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseStatus;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseMemoryInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseSession;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseValue;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseTensorTypeAndShapeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseSessionOptions;

    public readonly delegate* unmanaged[Cdecl]<byte***, int*, IntPtr> GetAvailableProviders;
    public readonly delegate* unmanaged[Cdecl]<byte**, int, IntPtr> ReleaseAvailableProviders;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr> SessionOptionsAppendExecutionProvider_CUDA_V2;
    public readonly delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> CreateCUDAProviderOptions;
    /// <summary>(CUDA options, keys, values, key count).</summary>
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte**, byte**, nuint, IntPtr> UpdateCUDAProviderOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseCUDAProviderOptions;

    public OrtApi(IntPtr table)
    {
        var t = (IntPtr*)table;
        GetErrorCode = (delegate* unmanaged[Cdecl]<IntPtr, int>)t[OrtApiOrdinals.GetErrorCode];
        GetErrorMessage = (delegate* unmanaged[Cdecl]<IntPtr, byte*>)t[OrtApiOrdinals.GetErrorMessage];
        CreateEnv = (delegate* unmanaged[Cdecl]<int, byte*, IntPtr*, IntPtr>)t[OrtApiOrdinals.CreateEnv];
        CreateSession = (delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr, IntPtr*, IntPtr>)t[OrtApiOrdinals.CreateSession];
        CreateSessionFromArray = (delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)t[OrtApiOrdinals.CreateSessionFromArray];
        Run = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)t[OrtApiOrdinals.Run];

        CreateSessionOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[OrtApiOrdinals.CreateSessionOptions];
        SetSessionExecutionMode = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[OrtApiOrdinals.SetSessionExecutionMode];
        EnableProfiling = (delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr>)t[OrtApiOrdinals.EnableProfiling];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[OrtApiOrdinals.SetSessionGraphOptimizationLevel];
        SetIntraOpNumThreads = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[OrtApiOrdinals.SetIntraOpNumThreads];
        SetInterOpNumThreads = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[OrtApiOrdinals.SetInterOpNumThreads];

        SessionGetInputCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[OrtApiOrdinals.SessionGetInputCount];
        SessionGetOutputCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[OrtApiOrdinals.SessionGetOutputCount];
        SessionGetInputTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)t[OrtApiOrdinals.SessionGetInputTypeInfo];
        SessionGetOutputTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)t[OrtApiOrdinals.SessionGetOutputTypeInfo];
        SessionGetInputName = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[OrtApiOrdinals.SessionGetInputName];
        SessionGetOutputName = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[OrtApiOrdinals.SessionGetOutputName];

        CreateTensorWithDataAsOrtValue = (delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)t[OrtApiOrdinals.CreateTensorWithDataAsOrtValue];
        GetTensorMutableData = (delegate* unmanaged[Cdecl]<IntPtr, void**, IntPtr>)t[OrtApiOrdinals.GetTensorMutableData];
        CastTypeInfoToTensorInfo = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)t[OrtApiOrdinals.CastTypeInfoToTensorInfo];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)t[OrtApiOrdinals.GetOnnxTypeFromTypeInfo];
        GetTensorElementType = (delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)t[OrtApiOrdinals.GetTensorElementType];
        GetDimensionsCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[OrtApiOrdinals.GetDimensionsCount];
        GetDimensions = (delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr>)t[OrtApiOrdinals.GetDimensions];
        GetSymbolicDimensions = (delegate* unmanaged[Cdecl]<IntPtr, byte**, nuint, IntPtr>)t[OrtApiOrdinals.GetSymbolicDimensions];
        GetTensorShapeElementCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[OrtApiOrdinals.GetTensorShapeElementCount];
        GetTensorTypeAndShape = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)t[OrtApiOrdinals.GetTensorTypeAndShape];
        GetValueType = (delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)t[OrtApiOrdinals.GetValueType];

        CreateCpuMemoryInfo = (delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr>)t[OrtApiOrdinals.CreateCpuMemoryInfo];
        AllocatorFree = (delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr>)t[OrtApiOrdinals.AllocatorFree];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[OrtApiOrdinals.GetAllocatorWithDefaultOptions];

        ReleaseStatus = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseStatus];
        ReleaseMemoryInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseMemoryInfo];
        ReleaseSession = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseSession];
        ReleaseValue = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseValue];
        ReleaseTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseTypeInfo];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseTensorTypeAndShapeInfo];
        ReleaseSessionOptions = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseSessionOptions];

        GetAvailableProviders = (delegate* unmanaged[Cdecl]<byte***, int*, IntPtr>)t[OrtApiOrdinals.GetAvailableProviders];
        ReleaseAvailableProviders = (delegate* unmanaged[Cdecl]<byte**, int, IntPtr>)t[OrtApiOrdinals.ReleaseAvailableProviders];
        SessionOptionsAppendExecutionProvider_CUDA_V2 = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)t[OrtApiOrdinals.SessionOptionsAppendExecutionProvider_CUDA_V2];
        CreateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[OrtApiOrdinals.CreateCUDAProviderOptions];
        UpdateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<IntPtr, byte**, byte**, nuint, IntPtr>)t[OrtApiOrdinals.UpdateCUDAProviderOptions];
        ReleaseCUDAProviderOptions = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[OrtApiOrdinals.ReleaseCUDAProviderOptions];
    }

    /// <summary>Number of OrtValues this process has created or received and not yet released.</summary>
    public static long LiveValueCount => Interlocked.Read(ref s_liveValues);

    /// <summary>Records an OrtValue that this binding now owns (an input tensor or a Run output).</summary>
    public static void TrackValue() => Interlocked.Increment(ref s_liveValues);

    /// <summary>Releases an owned OrtValue (null is ignored) and updates <see cref="LiveValueCount"/>.</summary>
    public void ReleaseTrackedValue(IntPtr value)
    {
        if (value == IntPtr.Zero) return;
        ReleaseValue(value);
        Interlocked.Decrement(ref s_liveValues);
    }

    /// <summary>Throws an <see cref="OrtException"/> when <paramref name="status"/> reports an error.</summary>
    /// <param name="status">The OrtStatus* a C API call returned; released here when non-null.</param>
    /// <param name="operation">What was being done, e.g. "CreateSession".</param>
    /// <param name="subject">What it was done to (model path, input name), for the message.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Check(IntPtr status, string operation, string? subject = null)
    {
        if (status != IntPtr.Zero) throw ToException(status, operation, subject);
    }

    /// <summary>As <see cref="Check(IntPtr, string, string?)"/> for a named input or output; the subject text
    /// ("output 'logits'") is only built on failure, keeping per-Run checks allocation-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Check(IntPtr status, string operation, string subjectKind, string subjectName)
    {
        if (status != IntPtr.Zero) throw ToException(status, operation, $"{subjectKind} '{subjectName}'");
    }

    /// <summary>Reads code and message from a failed status, releases it, and returns the exception.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public OrtException ToException(IntPtr status, string operation, string? subject)
    {
        var (code, message) = TakeError(status);
        return new OrtException(code, operation, subject, message);
    }

    /// <summary>Reads code and message from a non-null status and releases it.</summary>
    public (OrtErrorCode Code, string Message) TakeError(IntPtr status)
    {
        try
        {
            var code = (OrtErrorCode)GetErrorCode(status);
            // ORT messages often end with a newline; trim so they embed cleanly in ours.
            var message = Marshal.PtrToStringUTF8((IntPtr)GetErrorMessage(status))?.TrimEnd() ?? "(no message)";
            return (code, message);
        }
        finally
        {
            ReleaseStatus(status);
        }
    }
}
