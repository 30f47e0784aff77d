using System.Globalization;
using System.Text;

namespace BatchXai.Onnx.Runtime.Native;

/// <summary>Builds the native <c>OrtSessionOptions</c> object from an <see cref="OrtSessionOptions"/> record.</summary>
internal static unsafe class NativeSessionOptions
{
    private const int ExecutionModeSequential = 0; // ORT_SEQUENTIAL
    private const int ExecutionModeParallel = 1;   // ORT_PARALLEL

    /// <summary>Creates native options with the threading and optimisation settings; no provider appended (CPU).</summary>
    public static OrtNativeHandle CreateCpu(OrtApi api, OrtSessionOptions options)
    {
        IntPtr raw;
        api.Check(api.CreateSessionOptions(&raw), "CreateSessionOptions");
        var handle = new OrtNativeHandle(raw, api.ReleaseSessionOptions);
        try
        {
            api.Check(api.SetIntraOpNumThreads(raw, options.IntraOpThreads), "SetIntraOpNumThreads");
            api.Check(api.SetInterOpNumThreads(raw, options.InterOpThreads), "SetInterOpNumThreads");
            api.Check(api.SetSessionExecutionMode(raw, options.ParallelExecution ? ExecutionModeParallel : ExecutionModeSequential),
                      "SetSessionExecutionMode");
            api.Check(api.SetSessionGraphOptimizationLevel(raw, (int)options.GraphOptimization), "SetSessionGraphOptimizationLevel");
            if (options.ProfilePrefix is { } prefix)
                fixed (byte* path = Encoding.UTF8.GetBytes(prefix + "\0"))
                    api.Check(api.EnableProfiling(raw, path), "EnableProfiling");
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends the CUDA provider for <paramref name="deviceId"/> (through the V2 options object, whose
    /// layout ORT owns, so no struct layout has to match the library). Returns null on success, or ORT's
    /// reason when the provider cannot be added, e.g. when its provider libraries are not installed.
    /// </summary>
    public static string? TryAppendCuda(OrtApi api, OrtNativeHandle sessionOptions, int deviceId)
    {
        IntPtr cudaOptions;
        var status = api.CreateCUDAProviderOptions(&cudaOptions);
        if (status != IntPtr.Zero) return Describe(api, status, "CreateCUDAProviderOptions");
        try
        {
            var key = "device_id\0"u8;
            var value = Encoding.UTF8.GetBytes(deviceId.ToString(CultureInfo.InvariantCulture) + "\0");
            fixed (byte* keyPtr = key)
            fixed (byte* valuePtr = value)
            {
                byte* keys = keyPtr, values = valuePtr; // one-element arrays of C strings
                status = api.UpdateCUDAProviderOptions(cudaOptions, &keys, &values, 1);
            }
            if (status != IntPtr.Zero) return Describe(api, status, "UpdateCUDAProviderOptions");

            var added = false;
            sessionOptions.DangerousAddRef(ref added);
            try
            {
                status = api.SessionOptionsAppendExecutionProvider_CUDA_V2(sessionOptions.DangerousGetHandle(), cudaOptions);
            }
            finally
            {
                if (added) sessionOptions.DangerousRelease();
            }
            return status == IntPtr.Zero ? null : Describe(api, status, "SessionOptionsAppendExecutionProvider_CUDA_V2");
        }
        finally
        {
            api.ReleaseCUDAProviderOptions(cudaOptions); // the session options keep their own copy
        }
    }

    private static string Describe(OrtApi api, IntPtr status, string operation)
    {
        var (code, message) = api.TakeError(status);
        return $"{operation} failed ({code}): {message}";
    }
}
