using BatchXai.Core.Audit;
using BatchXai.Imaging;
using BatchXai.Synthetic;
using Xunit.Abstractions;

namespace BatchXai.Tests.Audit;

/// <summary>
/// Field-of-view detection on prepared images. Fundus discs are checked against the synthesizer's
/// rendered disc carried through the preprocessing's crop and resize (input = (source − region
/// origin) · input size / region size); masks against the shape that was drawn.
/// </summary>
public sealed class FieldOfViewDetectorTests(ITestOutputHelper output)
{
    private const int Input = 160;
    private const int Images = 12;

    private static PreprocessSpec Spec(bool fundusCrop) => new() { Height = Input, Width = Input, FundusCrop = fundusCrop };

    /// <summary>Detects the disc in the prepared image and returns (centre error, radius error) in input pixels against the truth.</summary>
    private static (double Centre, double Radius) Error(RgbImage source, PixelCircle truth, PreprocessSpec spec)
    {
        var prepared = new ImagePreprocessor(spec).Prepare(source);
        var region = prepared.SourceRegion;
        Assert.Equal(region.Width, region.Height); // square window, so the disc stays a disc
        double scale = (double)Input / region.Width;
        double cx = (truth.CenterX - region.X) * scale, cy = (truth.CenterY - region.Y) * scale, r = truth.Radius * scale;

        var fov = FieldOfViewDetector.Detect(prepared.Image.Pixels, Input, Input, FieldOfViewMode.FundusDisc);

        Assert.NotNull(fov);
        Assert.Equal(FieldOfViewKind.DetectedDisc, fov.Kind);
        return (Math.Sqrt(Math.Pow(fov.CenterX - cx, 2) + Math.Pow(fov.CenterY - cy, 2)), Math.Abs(fov.Radius - r));
    }

    private void Report(string setting, IReadOnlyList<(double Centre, double Radius)> errors, double tolerance)
    {
        output.WriteLine($"{setting}: {errors.Count} images, centre error mean {errors.Average(e => e.Centre):F2} max {errors.Max(e => e.Centre):F2} px, " +
                         $"radius error mean {errors.Average(e => e.Radius):F2} max {errors.Max(e => e.Radius):F2} px");
        Assert.All(errors, e => Assert.True(e.Centre <= tolerance && e.Radius <= tolerance, $"{setting}: centre off by {e.Centre:F2} px, radius by {e.Radius:F2} px"));
    }

    [Fact]
    public void Fundus_crop_of_tagged_images_the_bundled_models_setting_finds_the_disc_within_half_a_pixel()
    {
        // The tag widens the crop box, so the disc is not exactly the inscribed one.
        var synthesizer = new FundusSynthesizer(new SampleDataOptions { CleverHans = true });
        var errors = Enumerable.Range(0, Images).Select(i => synthesizer.Generate(7, i)).Select(s => Error(s.Image, s.FieldOfView, Spec(fundusCrop: true))).ToList();

        Report("fundus crop, tagged", errors, tolerance: 0.5);
    }

    [Fact]
    public void Without_a_crop_a_small_off_centre_disc_is_found_where_it_is()
    {
        // Each 320-px photo pasted at a different place on a black 480-px canvas: at 160 px the disc
        // has radius ≈ 50 and sits up to ≈ 26 px off the frame's centre.
        var synthesizer = new FundusSynthesizer();
        var errors = new List<(double, double)>();
        for (int i = 0; i < Images; i++)
        {
            var sample = synthesizer.Generate(8, i);
            int dx = 13 * i % 160, dy = 160 - 29 * i % 160;
            var canvas = Paste(sample.Image, 480, 480, dx, dy);
            var truth = sample.FieldOfView with { CenterX = sample.FieldOfView.CenterX + dx, CenterY = sample.FieldOfView.CenterY + dy };
            errors.Add(Error(canvas, truth, Spec(fundusCrop: false)));
        }

        Report("no crop, off-centre", errors, tolerance: 0.5);
    }

    [Fact]
    public void A_photo_cut_at_top_and_bottom_gets_the_whole_disc_from_its_free_rim()
    {
        // Rows 50..269 of 320 kept (as many real photos): the square crop pads black bands above and
        // below, so the bright region is a disc with two straight cuts and less area than the disc.
        var synthesizer = new FundusSynthesizer();
        var errors = new List<(double, double)>();
        for (int i = 0; i < Images; i++)
        {
            var sample = synthesizer.Generate(9, i);
            var cut = Crop(sample.Image, top: 50, height: 220);
            var truth = sample.FieldOfView with { CenterY = sample.FieldOfView.CenterY - 50 };
            errors.Add(Error(cut, truth, Spec(fundusCrop: true)));
            // The cut matters: a disc of the bright region's area would be far too small.
            var prepared = new ImagePreprocessor(Spec(fundusCrop: true)).Prepare(cut);
            double equalAreaRadius = Math.Sqrt(FieldOfViewDetector.ForegroundMask(prepared.Image.Pixels, Input, Input)!.Count(b => b) / Math.PI);
            Assert.True(truth.Radius * Input / prepared.SourceRegion.Width - equalAreaRadius > 5, $"equal-area radius {equalAreaRadius:F1}");
        }

        Report("cut top and bottom, fundus crop", errors, tolerance: 0.5);
    }

    [Fact]
    public void A_shape_on_a_flat_background_gives_its_own_mask_with_holes_filled_and_specks_dropped()
    {
        // An ellipse and a bar (one region) with texture, a dark hole inside, and a white tag apart from it.
        const int height = 120, width = 150;
        bool Shape(int x, int y) => Math.Pow((x + 0.5 - 70) / 50, 2) + Math.Pow((y + 0.5 - 60) / 40, 2) <= 1 || (x >= 110 && x < 140 && y >= 55 && y < 70);
        bool Hole(int x, int y) => Math.Pow(x + 0.5 - 60, 2) + Math.Pow(y + 0.5 - 55, 2) <= 100;
        bool Tag(int x, int y) => x >= 2 && x < 14 && y >= 2 && y < 9;
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte v = Tag(x, y) ? (byte)255 : !Shape(x, y) ? (byte)(x * y % 4) : Hole(x, y) ? (byte)3 : (byte)(90 + (7 * x + 13 * y) % 110);
                image.Set(x, y, v, v, v);
            }

        var fov = FieldOfViewDetector.Detect(image.Pixels, height, width, FieldOfViewMode.Foreground);

        Assert.NotNull(fov);
        Assert.Equal(FieldOfViewKind.DetectedForeground, fov.Kind);
        int wrong = 0, inside = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (fov.Contains(x, y) != Shape(x, y)) wrong++;
                if (Shape(x, y)) inside++;
            }
        Assert.Equal(0, wrong);
        Assert.Equal((double)inside / (height * width), fov.InsideFraction, 1e-12);
        // The packed form round-trips (it is what the worker stores).
        var restored = FieldOfView.FromPackedMask(height, width, fov.PackedMask!);
        Assert.Equal((fov.CenterX, fov.CenterY, fov.InsideFraction), (restored.CenterX, restored.CenterY, restored.InsideFraction));
    }

    [Fact]
    public void Frame_mode_is_the_whole_frame_and_a_black_image_has_no_field_of_view()
    {
        var black = new RgbImage(64, 48);

        var frame = FieldOfViewDetector.Detect(black.Pixels, 48, 64, FieldOfViewMode.Frame)!;

        Assert.Equal((FieldOfViewKind.Frame, 1.0), (frame.Kind, frame.InsideFraction));
        Assert.Null(FieldOfViewDetector.Detect(black.Pixels, 48, 64, FieldOfViewMode.FundusDisc));
        Assert.Null(FieldOfViewDetector.Detect(black.Pixels, 48, 64, FieldOfViewMode.Foreground));
    }

    private static RgbImage Paste(RgbImage image, int width, int height, int x0, int y0)
    {
        var canvas = new RgbImage(width, height);
        for (int y = 0; y < image.Height; y++)
            image.Row(y).CopyTo(canvas.Row(y + y0)[(3 * x0)..]);
        return canvas;
    }

    private static RgbImage Crop(RgbImage image, int top, int height)
    {
        var cut = new RgbImage(image.Width, height);
        for (int y = 0; y < height; y++) image.Row(top + y).CopyTo(cut.Row(y));
        return cut;
    }
}
