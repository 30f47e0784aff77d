using System.Runtime.InteropServices;

namespace BatchXai.Onnx.Runtime.Native;

/// <summary>Reads the input and output descriptions of a created session.</summary>
internal static unsafe class SessionMetadataReader
{
    private const int OnnxTypeTensor = 1; // ONNX_TYPE_TENSOR

    public static OrtTensorMetadata[] ReadInputs(OrtRuntime runtime, IntPtr session) =>
        Read(runtime, session, "Input", runtime.Api.SessionGetInputCount, runtime.Api.SessionGetInputName,
             runtime.Api.SessionGetInputTypeInfo);

    public static OrtTensorMetadata[] ReadOutputs(OrtRuntime runtime, IntPtr session) =>
        Read(runtime, session, "Output", runtime.Api.SessionGetOutputCount, runtime.Api.SessionGetOutputName,
             runtime.Api.SessionGetOutputTypeInfo);

    /// <param name="kind">"Input" or "Output": completes the C API function names in error messages.</param>
    private static OrtTensorMetadata[] Read(
        OrtRuntime runtime, IntPtr session, string kind,
        delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> getCount,
        delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr> getName,
        delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr> getTypeInfo)
    {
        var api = runtime.Api;
        nuint count;
        api.Check(getCount(session, &count), $"SessionGet{kind}Count");
        var result = new OrtTensorMetadata[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* name;
            api.Check(getName(session, i, runtime.DefaultAllocator, &name), $"SessionGet{kind}Name");
            var managedName = TakeAllocatorString(runtime, name);
            IntPtr typeInfo;
            api.Check(getTypeInfo(session, i, &typeInfo), $"SessionGet{kind}TypeInfo", kind.ToLowerInvariant(), managedName);
            result[i] = Describe(api, kind.ToLowerInvariant(), managedName, typeInfo);
        }
        return result;
    }

    /// <summary>Copies a string ORT allocated with the default allocator, then frees it.</summary>
    private static string TakeAllocatorString(OrtRuntime runtime, byte* value)
    {
        try
        {
            return Marshal.PtrToStringUTF8((IntPtr)value) ?? "";
        }
        finally
        {
            runtime.Api.Check(runtime.Api.AllocatorFree(runtime.DefaultAllocator, value), "AllocatorFree");
        }
    }

    /// <summary>Describes one input/output and releases its type info.</summary>
    private static OrtTensorMetadata Describe(OrtApi api, string kind, string name, IntPtr typeInfo)
    {
        try
        {
            int onnxType;
            api.Check(api.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType), "GetOnnxTypeFromTypeInfo", kind, name);
            if (onnxType != OnnxTypeTensor) return new OrtTensorMetadata(name, false, OrtElementType.Undefined, [], []);

            IntPtr tensorInfo; // owned by typeInfo: not released separately
            api.Check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), "CastTypeInfoToTensorInfo", kind, name);
            var (elementType, shape) = ReadTypeAndShape(api, tensorInfo, kind, name);

            var symbolic = new string?[shape.Length];
            var names = stackalloc byte*[shape.Length];
            api.Check(api.GetSymbolicDimensions(tensorInfo, names, (nuint)shape.Length), "GetSymbolicDimensions", kind, name);
            for (var d = 0; d < shape.Length; d++)
            {
                var dimName = Marshal.PtrToStringUTF8((IntPtr)names[d]);
                symbolic[d] = string.IsNullOrEmpty(dimName) ? null : dimName;
            }
            return new OrtTensorMetadata(name, true, elementType, shape, symbolic);
        }
        finally
        {
            api.ReleaseTypeInfo(typeInfo);
        }
    }

    /// <summary>Element type and dimensions of an <c>OrtTensorTypeAndShapeInfo</c> (-1 for dynamic dimensions).</summary>
    public static (OrtElementType ElementType, long[] Shape) ReadTypeAndShape(OrtApi api, IntPtr tensorInfo, string kind, string name)
    {
        int elementType;
        api.Check(api.GetTensorElementType(tensorInfo, &elementType), "GetTensorElementType", kind, name);
        nuint rank;
        api.Check(api.GetDimensionsCount(tensorInfo, &rank), "GetDimensionsCount", kind, name);
        var shape = new long[(int)rank];
        fixed (long* dims = shape)
            api.Check(api.GetDimensions(tensorInfo, dims, rank), "GetDimensions", kind, name);
        return ((OrtElementType)elementType, shape);
    }
}
