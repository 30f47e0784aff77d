using BatchXai.Imaging;

namespace BatchXai.Tests.Imaging;

public class NpyFileTests
{
    // numpy: (np.arange(24, dtype=np.float32) * 0.37 - 3.1).reshape(2, 3, 4), computed in float32.
    private static float[] ArangeData() => Enumerable.Range(0, 24).Select(i => i * 0.37f - 3.1f).ToArray();

    private static byte[] Written(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Float32_file_is_byte_identical_to_numpy()
    {
        Assert.Equal(Fixtures.Bytes("numpy_f4.npy"), Written(s => NpyFile.Write(s, ArangeData(), [2, 3, 4])));
    }

    [Fact]
    public void Float16_file_is_byte_identical_to_numpy_astype()
    {
        Assert.Equal(Fixtures.Bytes("numpy_f2.npy"), Written(s => NpyFile.Write(s, ArangeData(), [2, 3, 4], asFloat16: true)));
    }

    [Fact]
    public void UInt8_Int32_scalar_and_empty_files_are_byte_identical_to_numpy()
    {
        var bytes = Enumerable.Range(0, 35).Select(i => (byte)(i * 7 % 256)).ToArray();
        Assert.Equal(Fixtures.Bytes("numpy_u1.npy"), Written(s => NpyFile.WriteBytes(s, bytes, [5, 7])));
        Assert.Equal(Fixtures.Bytes("numpy_i4.npy"), Written(s => NpyFile.WriteInt32(s, [int.MinValue, -1, 0, 7, int.MaxValue], [5])));
        Assert.Equal(Fixtures.Bytes("numpy_scalar_f4.npy"), Written(s => NpyFile.Write(s, [2.5f], [])));
        Assert.Equal(Fixtures.Bytes("numpy_f4_empty.npy"), Written(s => NpyFile.Write(s, [], [0, 5])));
    }

    [Fact]
    public void Data_starts_on_a_64_byte_boundary_for_any_shape()
    {
        foreach (int[] shape in new[] { new[] { 1 }, new[] { 7, 11 }, new[] { 1, 2, 3, 4, 5, 6, 7 }, new[] { 123456789 / 1000, 1 } })
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            var file = Written(s => NpyFile.Write(s, new float[count], shape));
            Assert.Equal(0, (file.Length - count * 4) % 64);
            Assert.Equal((byte)'\n', file[file.Length - count * 4 - 1]);
        }
    }

    [Fact]
    public void Reads_numpy_files()
    {
        var f4 = NpyFile.Read(Fixtures.Bytes("numpy_f4.npy"));
        Assert.Equal(new[] { 2, 3, 4 }, f4.Shape);
        Assert.Equal(NpyDType.Float32, f4.DType);
        Assert.Equal(ArangeData(), f4.Data);

        var f2 = NpyFile.Read(Fixtures.Bytes("numpy_f2.npy"));
        Assert.Equal(NpyDType.Float16, f2.DType);
        Assert.Equal(ArangeData().Select(v => (float)(Half)v), f2.Data);

        var u1 = NpyFile.Read(Fixtures.Bytes("numpy_u1.npy"));
        Assert.Equal(new[] { 5, 7 }, u1.Shape);
        Assert.Equal(Enumerable.Range(0, 35).Select(i => (byte)(i * 7 % 256)), u1.ToUInt8());

        var i4 = NpyFile.Read(Fixtures.Bytes("numpy_i4.npy"));
        Assert.Equal(new[] { int.MinValue, -1, 0, 7, int.MaxValue }, i4.ToInt32());

        var scalar = NpyFile.Read(Fixtures.Bytes("numpy_scalar_f4.npy"));
        Assert.Empty(scalar.Shape);
        Assert.Equal(new[] { 2.5f }, scalar.Data);

        // np.linspace(-1, 1, 10, dtype=np.float32): computed in float64, then rounded.
        var linspace = NpyFile.Read(Fixtures.Bytes("numpy_f4_1d.npy"));
        Assert.Equal(new[] { 10 }, linspace.Shape);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)(-1 + i * (2.0 / 9))), linspace.Data);

        var empty = NpyFile.Read(Fixtures.Bytes("numpy_f4_empty.npy"));
        Assert.Equal(new[] { 0, 5 }, empty.Shape);
        Assert.Empty(empty.Data);
    }

    [Fact]
    public void Reads_big_endian_data()
    {
        var file = Fixtures.Bytes("numpy_f4.npy");
        int dataStart = file.Length - 24 * 4;
        file[file.AsSpan().IndexOf("'<f4'"u8) + 1] = (byte)'>';
        for (int i = dataStart; i < file.Length; i += 4) file.AsSpan(i, 4).Reverse();
        Assert.Equal(ArangeData(), NpyFile.Read(file).Data);
    }

    [Fact]
    public void Round_trips_random_data()
    {
        var rng = new Random(11);
        var data = Enumerable.Range(0, 3 * 5 * 7).Select(_ => (float)rng.NextDouble() * 100 - 50).ToArray();
        var array = NpyFile.Read(NpyFile.ToBytes(data, [3, 5, 7]));
        Assert.Equal(new[] { 3, 5, 7 }, array.Shape);
        Assert.Equal(data, array.Data);
    }

    [Fact]
    public void Shape_mismatch_truncation_and_fortran_order_are_errors()
    {
        Assert.Throws<ArgumentException>(() => NpyFile.ToBytes(new float[6], [4, 2]));

        var file = Fixtures.Bytes("numpy_f4.npy");
        Assert.Throws<InvalidDataException>(() => NpyFile.Read(file[..^1]));
        Assert.Throws<InvalidDataException>(() => NpyFile.Read(file[..20]));

        var fortran = (byte[])file.Clone();
        int at = fortran.AsSpan().IndexOf("False"u8);
        "True "u8.CopyTo(fortran.AsSpan(at));
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(fortran));
        Assert.Contains("Fortran", e.Message);
    }
}
