using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace BatchXai.Onnx.Runtime.Native;

/// <summary>
/// The null-terminated UTF-8 names of a session's inputs or outputs, encoded once per session so Run
/// only passes pointers. The buffers live on the pinned object heap: their addresses never change and
/// the GC frees them with the table, so nothing native can leak.
/// </summary>
internal sealed unsafe class NativeNameTable
{
    private readonly byte[][] _utf8;
    private readonly IntPtr[] _pointers;
    private readonly Dictionary<string, int> _indexByName;

    public NativeNameTable(IReadOnlyList<OrtTensorMetadata> items)
    {
        Names = items.Select(i => i.Name).ToArray();
        _utf8 = new byte[Names.Length][];
        _pointers = GC.AllocateArray<IntPtr>(Names.Length, pinned: true);
        _indexByName = new Dictionary<string, int>(Names.Length, StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
        {
            var bytes = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(Names[i]) + 1, pinned: true);
            Encoding.UTF8.GetBytes(Names[i], bytes);
            _utf8[i] = bytes;
            _pointers[i] = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bytes));
            _indexByName[Names[i]] = i;
        }
    }

    /// <summary>Names in model order.</summary>
    public string[] Names { get; }

    public int Count => Names.Length;

    /// <summary>Pointers to every name in model order (the C <c>const char* const*</c> Run expects).</summary>
    public ReadOnlySpan<IntPtr> AllPointers => _pointers;

    public IntPtr this[int index] => _pointers[index];

    public bool TryGetIndex(string name, out int index) => _indexByName.TryGetValue(name, out index);
}
