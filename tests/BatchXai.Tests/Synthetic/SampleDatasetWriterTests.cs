using System.Buffers.Binary;
using BatchXai.Imaging;
using BatchXai.Synthetic;

namespace BatchXai.Tests.Synthetic;

public sealed class SampleDatasetWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "batchxai-sample-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void WritesAptosLayoutWithLabelsImagesMasksAndLesionTable()
    {
        var opts = new SampleDataOptions { Size = 96 };
        var reports = new List<int>();
        var summary = SampleDatasetWriter.Write(_dir, 12, 4, opts, new SynchronousProgress(reports));

        var labels = File.ReadAllLines(Path.Combine(_dir, "train.csv"));
        Assert.Equal("id_code,diagnosis", labels[0]);
        Assert.Equal(13, labels.Length);
        var synth = new FundusSynthesizer(opts);
        for (int i = 0; i < 12; i++)
        {
            var expected = synth.Generate(4, i);
            Assert.Equal($"{expected.Id},{expected.Grade}", labels[i + 1]);
            var imageBytes = File.ReadAllBytes(Path.Combine(_dir, "train_images", expected.Id + ".png"));
            var maskBytes = File.ReadAllBytes(Path.Combine(_dir, "masks", expected.Id + ".png"));
            AssertPngHeader(imageBytes, 96, 96, colourType: 2);
            AssertPngHeader(maskBytes, 96, 96, colourType: 0);
            Assert.Equal(PngEncoder.Encode(expected.Image), imageBytes);
            Assert.Equal(PngEncoder.EncodeGray(expected.Mask, 96, 96), maskBytes);
        }
        Assert.Equal(12, Directory.GetFiles(Path.Combine(_dir, "train_images")).Length);
        Assert.Equal(12, summary.Count);
        Assert.Equal(12, summary.GradeCounts.Sum());
        Assert.Null(summary.TagMatchesGrade);
        Assert.Equal(Enumerable.Range(1, 12), reports.Order());
    }

    [Fact]
    public void LesionTableHasCountsPerTypeAndTagColumnsOnlyForCleverHans()
    {
        var opts = new SampleDataOptions { Size = 96, CleverHans = true };
        var summary = SampleDatasetWriter.Write(_dir, 10, 6, opts, null);
        var lines = File.ReadAllLines(Path.Combine(_dir, "lesions.csv"));
        var header = lines[0].Split(',');
        Assert.Equal(["id_code", "diagnosis", "microaneurysms", "haemorrhages", "hard_exudates", "cotton_wool_spots",
            "neovascularisations", "tag_text", "tag_shown_grade", "tag_x", "tag_y", "tag_width", "tag_height", "ring", "colour_cast"], header);
        var synth = new FundusSynthesizer(opts);
        int matches = 0;
        for (int i = 0; i < 10; i++)
        {
            var f = lines[i + 1].Split(',');
            var s = synth.Generate(6, i);
            var l = s.Lesions;
            Assert.Equal([s.Id, s.Grade.ToString(), l.Microaneurysms.ToString(), l.Haemorrhages.ToString(), l.HardExudates.ToString(),
                l.CottonWoolSpots.ToString(), l.Neovascularisations.ToString(), s.Tag!.Text, s.Tag.ShownGrade.ToString(),
                s.Tag.Box.X.ToString(), s.Tag.Box.Y.ToString(), s.Tag.Box.Width.ToString(), s.Tag.Box.Height.ToString(), "0", "0"], f);
            if (s.Tag.ShownGrade == s.Grade) matches++;
        }
        Assert.Equal(matches, summary.TagMatchesGrade);
    }

    [Fact]
    public void UntaggedLesionTableLeavesTagColumnsEmpty()
    {
        SampleDatasetWriter.Write(_dir, 3, 6, new SampleDataOptions { Size = 64 }, null);
        var row = File.ReadAllLines(Path.Combine(_dir, "lesions.csv"))[1].Split(',');
        Assert.Equal(15, row.Length);
        Assert.All(row[7..13], Assert.Empty);
        Assert.Equal(["0", "0"], row[13..]);
    }

    [Fact]
    public void WritingTwiceGivesIdenticalFiles()
    {
        var opts = new SampleDataOptions { Size = 64, MaxDegreeOfParallelism = 2 };
        SampleDatasetWriter.Write(Path.Combine(_dir, "a"), 8, 2, opts, null);
        SampleDatasetWriter.Write(Path.Combine(_dir, "b"), 8, 2, opts with { MaxDegreeOfParallelism = 1 }, null);
        var files = Directory.GetFiles(Path.Combine(_dir, "a"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(_dir, "a"), f)).Order().ToList();
        Assert.Equal(1 + 1 + 8 + 8, files.Count);
        foreach (var f in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a", f)), File.ReadAllBytes(Path.Combine(_dir, "b", f)));
    }

    [Fact]
    public void DefaultGradeDistributionIsRoughlyUniformAndWeightsAreHonoured()
    {
        var uniform = new FundusSynthesizer(new SampleDataOptions { Size = 64 });
        var counts = new int[5];
        for (int i = 0; i < 500; i++) counts[uniform.Generate(3, i).Grade]++;
        Assert.All(counts, c => Assert.InRange(c, 64, 136));   // 100 ± 4 binomial standard deviations

        var onlyModerate = new FundusSynthesizer(new SampleDataOptions { Size = 64, GradeWeights = [0, 0, 1, 0, 0] });
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal(2, onlyModerate.Generate(3, i).Grade));
    }

    [Theory]
    [InlineData(32, null)]
    [InlineData(320, new double[] { 1, 1, 1 })]
    [InlineData(320, new double[] { 0, 0, 0, 0, 0 })]
    public void InvalidOptionsAreRejected(int size, double[]? weights)
    {
        Assert.ThrowsAny<ArgumentException>(() => new FundusSynthesizer(new SampleDataOptions { Size = size, GradeWeights = weights }));
    }

    /// <summary>Checks the PNG signature and IHDR fields by reading the bytes (independent of the encoder).</summary>
    private static void AssertPngHeader(byte[] png, int width, int height, byte colourType)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(8, png[24]);
        Assert.Equal(colourType, png[25]);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool asynchronously; tests need every report before asserting.</summary>
    private sealed class SynchronousProgress(List<int> sink) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
