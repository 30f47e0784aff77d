namespace BatchXai.Onnx.Runtime.Native;

/// <summary>
/// Zero-based positions of the <c>OrtApi</c> function-table entries this binding calls.
/// </summary>
/// <remarks>
/// The table in <c>include/onnxruntime/core/session/onnxruntime_c_api.h</c> (microsoft/onnxruntime) is
/// append-only: an entry never moves once released, so these positions hold for every library newer
/// than the version that introduced them. Each value was counted entry by entry in that header
/// (every <c>ORT_API2_STATUS(...)</c>, <c>ORT_CLASS_RELEASE(...)</c> and plain function pointer is one
/// slot) and cross-checked against the field order of the official C# binding's <c>OrtApi</c> struct.
/// A wrong value calls the wrong native function and usually crashes the process, so change these
/// only with the same care. The highest one used, 208, arrived with ORT 1.11 (API version 11).
/// </remarks>
internal static class OrtApiOrdinals
{
    // OrtStatus
    public const int GetErrorCode = 1;
    public const int GetErrorMessage = 2;

    // OrtEnv and sessions
    public const int CreateEnv = 3;
    public const int CreateSession = 7;
    public const int CreateSessionFromArray = 8;
    public const int Run = 9;

    // OrtSessionOptions
    public const int CreateSessionOptions = 10;
    public const int SetSessionExecutionMode = 13;
    public const int EnableProfiling = 14;
    public const int SetSessionGraphOptimizationLevel = 23;
    public const int SetIntraOpNumThreads = 24;
    public const int SetInterOpNumThreads = 25;

    // Session metadata
    public const int SessionGetInputCount = 30;
    public const int SessionGetOutputCount = 31;
    public const int SessionGetInputTypeInfo = 33;
    public const int SessionGetOutputTypeInfo = 34;
    public const int SessionGetInputName = 36;
    public const int SessionGetOutputName = 37;

    // OrtValue / tensors
    public const int CreateTensorWithDataAsOrtValue = 49;
    public const int GetTensorMutableData = 51;
    public const int CastTypeInfoToTensorInfo = 55;
    public const int GetOnnxTypeFromTypeInfo = 56;
    public const int GetTensorElementType = 60;
    public const int GetDimensionsCount = 61;
    public const int GetDimensions = 62;
    public const int GetSymbolicDimensions = 63;
    public const int GetTensorShapeElementCount = 64;
    public const int GetTensorTypeAndShape = 65;
    public const int GetValueType = 67;

    // Memory info and allocator
    public const int CreateCpuMemoryInfo = 69;
    public const int AllocatorFree = 76;
    public const int GetAllocatorWithDefaultOptions = 78;

    // Release functions (all return void)
    public const int ReleaseStatus = 93;
    public const int ReleaseMemoryInfo = 94;
    public const int ReleaseSession = 95;
    public const int ReleaseValue = 96;
    public const int ReleaseTypeInfo = 98;
    public const int ReleaseTensorTypeAndShapeInfo = 99;
    public const int ReleaseSessionOptions = 100;

    // Providers
    public const int GetAvailableProviders = 125;
    public const int ReleaseAvailableProviders = 126;
    public const int SessionOptionsAppendExecutionProvider_CUDA_V2 = 204;
    public const int CreateCUDAProviderOptions = 205;
    public const int UpdateCUDAProviderOptions = 206;
    public const int ReleaseCUDAProviderOptions = 208;
}
