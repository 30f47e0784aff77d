using System.Runtime.InteropServices;

namespace BatchXai.Onnx.Runtime.Native;

/// <summary>
/// Owns one ONNX Runtime object (session, session options, memory info) and releases it with the
/// matching <c>Release*</c> entry of the function table, deterministically on Dispose or, as a safety
/// net, from the finalizer. SafeHandle's reference counting also keeps the object alive while a call
/// that did <see cref="SafeHandle.DangerousAddRef"/> is still using it on another thread.
/// </summary>
internal sealed unsafe class OrtNativeHandle : SafeHandle
{
    private readonly delegate* unmanaged[Cdecl]<IntPtr, void> _release;

    public OrtNativeHandle(IntPtr handle, delegate* unmanaged[Cdecl]<IntPtr, void> release)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _release = release;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        return true;
    }
}
