using BatchXai.Imaging;

namespace BatchXai.Tests.Imaging;

public class ImagePreprocessorTests
{
    // 2×1 image: pixel 0 = (10, 20, 30), pixel 1 = (200, 100, 0).
    private static RgbImage TwoPixels() => new(2, 1, [10, 20, 30, 200, 100, 0]);

    private static readonly float[] Mean = [0.5f, 0.25f, 0.125f];
    private static readonly float[] Std = [0.5f, 0.25f, 2f];

    private static float[] Tensor(PreprocessSpec spec, RgbImage image)
    {
        var pre = new ImagePreprocessor(spec);
        var prepared = pre.Prepare(image);
        var tensor = new float[spec.SampleLength];
        pre.WriteTensor(prepared, tensor);
        return tensor;
    }

    private static float N(int pixel, int channel) => (pixel / 255f - Mean[channel]) / Std[channel];

    [Fact]
    public void Nchw_rgb_is_planar_and_normalised_per_channel()
    {
        var spec = new PreprocessSpec { Height = 1, Width = 2, Mean = Mean, Std = Std };
        var expected = new[] { N(10, 0), N(200, 0), N(20, 1), N(100, 1), N(30, 2), N(0, 2) };
        Assert.Equal(expected, Tensor(spec, TwoPixels()), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Nhwc_bgr_interleaves_in_reversed_order()
    {
        // Mean/Std apply to the output channel: channel 0 is blue here.
        var spec = new PreprocessSpec { Height = 1, Width = 2, Mean = Mean, Std = Std, Layout = TensorLayout.NHWC, ChannelOrder = ChannelOrder.BGR };
        var expected = new[] { N(30, 0), N(20, 1), N(10, 2), N(0, 0), N(100, 1), N(200, 2) };
        Assert.Equal(expected, Tensor(spec, TwoPixels()), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Gray_is_bt601_luma_then_normalised()
    {
        var spec = new PreprocessSpec { Height = 1, Width = 2, Scale = 1f, Mean = [100f], Std = [10f], ChannelOrder = ChannelOrder.GRAY };
        float luma0 = 0.299f * 10 + 0.587f * 20 + 0.114f * 30;    // 16.82
        float luma1 = 0.299f * 200 + 0.587f * 100 + 0.114f * 0;   // 118.5
        Assert.Equal(new[] { (luma0 - 100) / 10, (luma1 - 100) / 10 }, Tensor(spec, TwoPixels()), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void Invalid_spec_names_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImagePreprocessor(new PreprocessSpec { Height = 4, Width = 4, Std = [1f, 0f, 1f] }));
        Assert.Contains("Std", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ImagePreprocessor(new PreprocessSpec { Height = 4, Width = 4, Mean = [0f, 0f], }));
        Assert.Contains("Mean", e.Message);
    }

    [Fact]
    public void Wrong_destination_length_is_rejected()
    {
        var pre = new ImagePreprocessor(new PreprocessSpec { Height = 1, Width = 2 });
        var prepared = pre.Prepare(TwoPixels());
        Assert.Throws<ArgumentException>(() => pre.WriteTensor(prepared, new float[5]));
    }

    [Fact]
    public void Same_size_is_an_exact_copy()
    {
        var source = ImageDecoder.Decode(Fixtures.Bytes("png_rgb8.png"));
        var pre = new ImagePreprocessor(new PreprocessSpec { Height = source.Height, Width = source.Width });
        Assert.Equal(source.Pixels, pre.Prepare(source).Image.Pixels);
    }

    [Fact]
    public void Bilinear_upscaling_matches_PIL()
    {
        var source = ImageDecoder.Decode(Fixtures.Bytes("resize_source.png"));
        var expected = Fixtures.ExpectedImage("resize_source.bilinear_19x13.expected.npy");
        var resized = Resampler.Resize(source, PixelRect.Of(source), 19, 13);
        // PIL uses fixed-point weights: allow one level of rounding difference.
        Assert.InRange(Fixtures.MaxDifference(expected, resized), 0, 1);
    }

    [Fact]
    public void Downscaling_8x_averages_one_pixel_stripes_instead_of_aliasing()
    {
        var stripes = new RgbImage(160, 80);
        for (int y = 0; y < 80; y++)
            for (int x = 0; x < 160; x += 2)
                stripes.Set(x, y, 255, 255, 255);
        var small = Resampler.Resize(stripes, PixelRect.Of(stripes), 20, 10);
        // Point-sampled bilinear would return all 0 or all 255 here.
        Assert.All(small.Pixels, v => Assert.InRange(v, 127, 128));
    }

    [Fact]
    public void Downscaling_a_ramp_gives_block_means()
    {
        // p(x) = x for x in [0, 256); 16× reduction → block i holds 16i..16i+15, mean 16i + 7.5.
        var ramp = new RgbImage(256, 32);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 256; x++)
                ramp.Set(x, y, (byte)x, (byte)x, (byte)(255 - x));
        var small = Resampler.Resize(ramp, PixelRect.Of(ramp), 16, 2);
        for (int i = 0; i < 16; i++)
        {
            double mean = 16 * i + 7.5;
            Assert.InRange(small.Pixels[3 * i], Math.Floor(mean), Math.Ceiling(mean));
            Assert.InRange(small.Pixels[3 * i + 2], Math.Floor(255 - mean), Math.Ceiling(255 - mean));
        }
    }

    [Fact]
    public void Downscaling_a_constant_image_keeps_the_constant()
    {
        var flat = new RgbImage(301, 203);
        for (int i = 0; i < flat.Pixels.Length; i += 3) { flat.Pixels[i] = 40; flat.Pixels[i + 1] = 120; flat.Pixels[i + 2] = 220; }
        var small = Resampler.Resize(flat, PixelRect.Of(flat), 13, 11);   // 23× and 18×, with partial edge blocks
        for (int i = 0; i < small.Pixels.Length; i += 3)
            Assert.Equal((40, 120, 220), (small.Pixels[i], small.Pixels[i + 1], small.Pixels[i + 2]));
    }

    [Fact]
    public void Fundus_crop_finds_the_disc_and_centres_it_square()
    {
        // Disc of radius 40 centred at (130, 60) on a 240×120 black frame with sensor noise below threshold.
        var photo = new RgbImage(240, 120);
        var rng = new Random(5);
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 240; x++)
            {
                bool inside = (x - 130) * (x - 130) + (y - 60) * (y - 60) <= 40 * 40;
                byte noise = (byte)rng.Next(0, 9);
                photo.Set(x, y, inside ? (byte)180 : noise, inside ? (byte)90 : noise, inside ? (byte)40 : noise);
            }

        var box = FundusCrop.FindForeground(photo);
        Assert.Equal(new PixelRect(90, 20, 81, 81), box);

        var prepared = new ImagePreprocessor(new PreprocessSpec { Height = 81, Width = 81, FundusCrop = true }).Prepare(photo);
        Assert.Equal(new PixelRect(90, 20, 81, 81), prepared.SourceRegion);
        Assert.Equal(photo.Pixels[(60 * 240 + 130) * 3], prepared.Image.Pixels[(40 * 81 + 40) * 3]);   // centre stays centre
    }

    [Fact]
    public void Fundus_crop_of_a_cut_off_disc_pads_to_a_square_with_black()
    {
        // The disc is wider than the frame is tall (as in 4288×2848 photos): 100 wide, 60 tall visible.
        var photo = new RgbImage(200, 60);
        for (int y = 0; y < 60; y++)
            for (int x = 50; x < 150; x++)
                photo.Set(x, y, 200, 200, 200);
        var prepared = new ImagePreprocessor(new PreprocessSpec { Height = 50, Width = 50, FundusCrop = true }).Prepare(photo);
        Assert.Equal(new PixelRect(50, -20, 100, 100), prepared.SourceRegion);
        Assert.Equal(0, prepared.Image.Pixels[(2 * 50 + 25) * 3]);     // top band: padding
        Assert.Equal(200, prepared.Image.Pixels[(25 * 50 + 25) * 3]);  // middle: the disc
    }

    [Fact]
    public void Fundus_crop_of_an_all_black_image_falls_back_to_the_whole_image()
    {
        var black = new RgbImage(30, 20);
        Assert.Null(FundusCrop.FindForeground(black));
        var prepared = new ImagePreprocessor(new PreprocessSpec { Height = 10, Width = 10, FundusCrop = true }).Prepare(black);
        Assert.Equal(new PixelRect(0, -5, 30, 30), prepared.SourceRegion);
    }

    [Fact]
    public void Letterbox_keeps_aspect_and_pads_with_black()
    {
        var white = new RgbImage(40, 20);
        Array.Fill(white.Pixels, (byte)255);
        var prepared = new ImagePreprocessor(new PreprocessSpec { Height = 20, Width = 20, ResizeMode = ResizeMode.Letterbox }).Prepare(white);
        Assert.Equal(new PixelRect(0, -10, 40, 40), prepared.SourceRegion);
        var rows = Enumerable.Range(0, 20).Select(y => prepared.Image.Pixels[(y * 20 + 10) * 3]).ToArray();
        Assert.All(rows[..4], v => Assert.Equal(0, v));
        Assert.All(rows[6..14], v => Assert.Equal(255, v));
        Assert.All(rows[16..], v => Assert.Equal(0, v));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
