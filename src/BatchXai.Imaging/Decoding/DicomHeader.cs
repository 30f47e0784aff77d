using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace BatchXai.Imaging;

/// <summary>
/// What a dataset listing needs from a DICOM file without decoding its pixels: how many frames it
/// holds (each becomes an image of its own) and its SOP Instance UID (label files may name images by it).
/// </summary>
/// <param name="FrameCount">Number of Frames (0028,0008); 1 when absent.</param>
/// <param name="SopInstanceUid">SOP Instance UID (0008,0018), if present.</param>
public sealed record DicomHeader(int FrameCount, string? SopInstanceUid)
{
    /// <summary>Bytes a listing reads of each file first: DICOM headers before pixel data rarely reach this.</summary>
    public const int HeadBytes = 64 * 1024;

    private const uint SopInstanceUidTag = 0x0008_0018, NumberOfFramesTag = 0x0028_0008, TransferSyntaxTag = 0x0002_0010;
    private const uint ItemTag = 0xFFFE_E000, ItemDelimiter = 0xFFFE_E00D, SequenceDelimiter = 0xFFFE_E0DD;
    private const uint Undefined = uint.MaxValue;

    /// <summary>
    /// Walks the data set's elements up to Number of Frames, without GDCM: GDCM aborts the process on
    /// some files cut short, and a listing reads only each file's head. <paramref name="complete"/>:
    /// the bytes are the whole file. Null when they are only its head and the header goes on past it
    /// (read the whole file then). A header that cannot be walked, or a bad Number of Frames, throws
    /// naming the tag.
    /// </summary>
    public static DicomHeader? Read(ReadOnlySpan<byte> data, bool complete)
    {
        if (!DicomDecoder.IsDicom(data)) throw new ImageDecodeException("not DICOM: no 'DICM' after the 128-byte preamble");
        var walker = new Walker(data, 132);
        try
        {
            string? syntax = null;
            while (walker.More && walker.PeekGroup(littleEndian: true) == 0x0002)
            {
                var meta = walker.Next(explicitVr: true, littleEndian: true);
                if (meta.Tag == TransferSyntaxTag) syntax = Text(walker.Value(meta));
                walker.Skip(meta, explicitVr: true, littleEndian: true);
            }
            // Deflated data sets cannot be walked in place: GDCM reads those when the image is decoded.
            if (syntax == "1.2.840.10008.1.2.1.99") return new DicomHeader(1, null);
            bool explicitVr = syntax != "1.2.840.10008.1.2", littleEndian = syntax != "1.2.840.10008.1.2.2";

            string? uid = null;
            int frames = 1;
            while (walker.More)
            {
                var element = walker.Next(explicitVr, littleEndian);
                if (element.Tag > NumberOfFramesTag) break;
                if (element.Tag == SopInstanceUidTag) uid = Text(walker.Value(element));
                else if (element.Tag == NumberOfFramesTag) frames = Frames(Text(walker.Value(element)));
                walker.Skip(element, explicitVr, littleEndian);
            }
            return new DicomHeader(frames, string.IsNullOrEmpty(uid) ? null : uid);
        }
        catch (EndOfHeadException) when (!complete)
        {
            return null;
        }
        catch (EndOfHeadException)
        {
            throw new ImageDecodeException("truncated DICOM: the header ends inside an element before Number of Frames (0028,0008) and pixel data (7FE0,0010)");
        }
    }

    private static int Frames(string text) =>
        text.Length == 0 ? 1
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int frames) && frames >= 1 ? frames
        : throw new ImageDecodeException($"DICOM Number of Frames (0028,0008) = '{text}' is not a positive whole number");

    private static string Text(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).Trim('\0', ' ');

    private sealed class EndOfHeadException : Exception;

    private readonly record struct Element(uint Tag, string? Vr, uint Length, int ValueAt);

    private ref struct Walker(ReadOnlySpan<byte> data, int at)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at = at;

        public readonly bool More => _at < _data.Length;

        public readonly ushort PeekGroup(bool littleEndian) => U16(_at, littleEndian);

        public Element Next(bool explicitVr, bool littleEndian)
        {
            uint tag = (uint)U16(_at, littleEndian) << 16 | U16(_at + 2, littleEndian);
            // Items and delimiters have no VR, in every transfer syntax.
            if (!explicitVr || tag >> 16 == 0xFFFE)
            {
                uint length = U32(_at + 4, littleEndian);
                _at += 8;
                return new Element(tag, null, length, _at);
            }
            var vr = Encoding.ASCII.GetString(Slice(_at + 4, 2));
            if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV")
            {
                uint length = U32(_at + 8, littleEndian);
                _at += 12;
                return new Element(tag, vr, length, _at);
            }
            uint shortLength = U16(_at + 6, littleEndian);
            _at += 8;
            return new Element(tag, vr, shortLength, _at);
        }

        public readonly ReadOnlySpan<byte> Value(Element element) => element.Length == Undefined ? [] : Slice(element.ValueAt, checked((int)element.Length));

        /// <summary>Past the element's value; an undefined length (a sequence, or UN holding one) is walked item by item.</summary>
        public void Skip(Element element, bool explicitVr, bool littleEndian)
        {
            if (element.Length != Undefined)
            {
                _at = checked(element.ValueAt + (int)element.Length);
                if (_at > _data.Length) throw new EndOfHeadException();
                return;
            }
            // Undefined-length sequence content: implicit VR inside a UN (PS3.5 6.2.2).
            bool nestedExplicit = explicitVr && element.Vr != "UN";
            while (true)
            {
                if (!More) throw new EndOfHeadException();
                var item = Next(nestedExplicit, littleEndian);
                if (item.Tag == SequenceDelimiter) return;
                if (item.Tag != ItemTag) throw new ImageDecodeException($"corrupt DICOM: element ({item.Tag >> 16:X4},{item.Tag & 0xFFFF:X4}) where a sequence item was expected");
                if (item.Length != Undefined) { Skip(item, nestedExplicit, littleEndian); continue; }
                while (true)
                {
                    if (!More) throw new EndOfHeadException();
                    var nested = Next(nestedExplicit, littleEndian);
                    if (nested.Tag == ItemDelimiter) break;
                    Skip(nested, nestedExplicit, littleEndian);
                }
            }
        }

        private readonly ReadOnlySpan<byte> Slice(int at, int length) =>
            at >= 0 && length >= 0 && at + length <= _data.Length ? _data.Slice(at, length) : throw new EndOfHeadException();

        private readonly ushort U16(int at, bool littleEndian) =>
            littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(Slice(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(Slice(at, 2));

        private readonly uint U32(int at, bool littleEndian) =>
            littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(Slice(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(Slice(at, 4));
    }
}
