using BatchXai.Core;
using BatchXai.Core.Methods;
using BatchXai.Core.Segmentation;
using BatchXai.Imaging;
using BatchXai.Tests.Backward.Conformance;
using BatchXai.Tests.Model;
using Xunit.Abstractions;

namespace BatchXai.Tests.Segmentation;

/// <summary>
/// XRAI's regions against scikit-image's felzenszwalb (Debian python3-skimage 0.19, the function PAIR
/// saliency's XRAI calls) at XRAI's scales, σ and minimum segment size, on the same float image.
/// </summary>
public sealed class FelzenszwalbReferenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("batchxai-felz-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>skimage's labels for <paramref name="image"/>, one array per scale.</summary>
    private int[][] Reference(SegmentationImage image, IReadOnlyList<double> scales, double sigma, int minSize)
    {
        var path = Path.Combine(_folder, "image.npy");
        using (var file = File.Create(path))
            NpyFile.Write(file, image.Pixels.Select(v => (float)v).ToArray(), [image.Height, image.Width, image.Channels]);
        var labels = Path.Combine(_folder, "labels.txt");
        PythonExports.Run(Path.Combine(PythonExports.RepositoryRoot(), "tests/BatchXai.Tests/Segmentation/felzenszwalb_reference.py"),
            [path, labels, sigma.ToString("R", System.Globalization.CultureInfo.InvariantCulture), minSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
             .. scales.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return [.. File.ReadAllLines(labels).Select(line => line.Split(' ').Select(int.Parse).ToArray())];
    }

    /// <summary>The image as the reference reads it: pixels rounded to float32.</summary>
    private static SegmentationImage AsFloat32(SegmentationImage image) =>
        new(image.Height, image.Width, image.Channels, [.. image.Pixels.Select(v => (double)(float)v)]);

    private void AssertSamePartitions(string what, SegmentationImage image, IReadOnlyList<double> scales, double sigma, int minSize)
    {
        var reference = Reference(image, scales, sigma, minSize);
        for (int s = 0; s < scales.Count; s++)
        {
            var ours = Felzenszwalb.Segment(image, scales[s], sigma, minSize);
            // skimage numbers segments by their smallest pixel index, as Segments.Relabel does: equal
            // partitions have equal label arrays.
            int differing = ours.Labels.Zip(reference[s]).Count(p => p.First != p.Second);
            output.WriteLine($"{what}, scale {scales[s]}: {ours.Count} segments (skimage {reference[s].Max() + 1}), {differing} of {ours.Labels.Length} pixels labelled differently");
            Assert.Equal(reference[s].Max() + 1, ours.Count);
            Assert.Equal(reference[s], ours.Labels);
        }
    }

    [Fact]
    public void Synthetic_image_segments_as_skimage_does_at_every_xrai_scale()
    {
        // Shapes of distinct colours over a gradient, with noise: edges at many weights.
        const int height = 48, width = 60, channels = 3;
        var random = new Random(7);
        var pixels = new double[height * width * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                {
                    double v = 0.3 * x / width + 0.2 * c * y / height;
                    if (Math.Pow(y - 20, 2) + Math.Pow(x - 18, 2) < 100) v += 0.5 - 0.2 * c;
                    if (y > 30 && x > 35 && x < 55) v += 0.3 * (c == 1 ? 1 : -1);
                    pixels[(y * width + x) * channels + c] = v + 0.05 * random.NextDouble();
                }
        var image = AsFloat32(new SegmentationImage(height, width, channels, pixels).Rescaled(-1, 1));
        AssertSamePartitions("synthetic 48x60", image, XraiMethod.Scales, XraiMethod.Sigma, minSize: 20);
    }

    [Fact]
    public void Grader_input_segments_as_skimage_does_at_xrai_settings()
    {
        var data = Directory.CreateTempSubdirectory("batchxai-felz-data-").FullName;
        try
        {
            var (model, request) = GraderRequest.Prepare(data, 1);
            using var _ = model;
            var geometry = request.Geometry!;
            var image = AsFloat32(SegmentationImage.FromInput(request.Inputs.AsSpan(0, geometry.SampleSize), geometry).Rescaled(-1, 1));
            AssertSamePartitions($"grader input {geometry.Height}x{geometry.Width}", image, XraiMethod.Scales, XraiMethod.Sigma, XraiMethod.DefaultMinSegment);
        }
        finally { Directory.Delete(data, recursive: true); }
    }
}
