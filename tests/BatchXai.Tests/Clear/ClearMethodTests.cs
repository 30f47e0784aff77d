using BatchXai.Core;
using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Imaging;

namespace BatchXai.Tests.Clear;

/// <summary>CLEAR's eqs. 3–5 on signals given by hand, and the HSV composite's colours and legend.</summary>
public class ClearMethodTests
{
    private const int Classes = 3, C = 2, H = 2, W = 2;

    /// <summary>Returns fixed input-space signals, N per sample, and counts its calls.</summary>
    private sealed class FixedProjector(float[] perSample) : IClassResponseProjector
    {
        public int Calls;
        public int Classes => ClearMethodTests.Classes;
        public float[] Project(ReadOnlyMemory<float> inputs, int count)
        {
            Calls++;
            return Enumerable.Range(0, count).SelectMany(_ => perSample).ToArray();
        }
    }

    [Fact]
    public void Response_is_the_largest_absolute_channel_dominant_class_its_argmax_and_no_class_where_all_are_zero()
    {
        // Per class d: channel 0 then channel 1, each 2×2 (NCHW).
        float[] signals =
        [
            /* d=0 */ 1f, -5f, 0f, 0f,    2f, 1f, 0f, 0f,
            /* d=1 */ -3f, 2f, 0f, 0f,    0.5f, 4f, 0f, 0f,
            /* d=2 */ 0f, 0f, 0f, 0.1f,   0f, 0f, 0f, -0.2f,
        ];
        var projector = new FixedProjector(signals);
        var head = ModelHead.ForLinear(new LinearHead(Classes, 1, new float[Classes], new float[Classes]));
        var request = new ExplanationRequest(new FeatureBatch(2, 1, 1, 1, new float[2]), new float[2 * Classes], [0, 0], head)
        {
            Inputs = new float[2 * C * H * W],
            Geometry = new InputGeometry(C, H, W, ChannelsLast: false, [0f, 0f], [1f, 1f]),
            ClassResponses = projector,
        };

        var maps = new ClearMethod().Explain(request);

        Assert.Equal(1, projector.Calls); // the whole batch, every class, in one call
        foreach (var map in maps)
        {
            var clear = map.ClassResponses!;
            Assert.Equal([2f, 5f, 0f, 0f, /* d=1 */ 3f, 4f, 0f, 0f, /* d=2 */ 0f, 0f, 0f, 0.2f], clear.Responses);
            Assert.Equal([1, 0, ClassResponseMaps.NoDominantClass, 2], clear.DominantClass);
            Assert.Equal([3f, 5f, 0f, 0.2f], map.Values); // D = R(x|Ĉ)
        }
    }

    [Fact]
    public void Clear_is_offered_for_gap_linear_heads_and_refused_for_generic_ones()
    {
        Assert.Null(new ClearMethod().WhyUnsupported(HeadKind.GapLinear));
        Assert.Contains("outputs.classMaps", new ClearMethod().WhyUnsupported(HeadKind.Generic));
        Assert.IsType<ClearMethod>(Assert.Single(MethodRegistry.Resolve("clear")));
    }

    [Theory]
    [InlineData(0, 1, 1, 255, 0, 0)]
    [InlineData(120, 1, 0.5, 0, 128, 0)]
    [InlineData(240, 1, 1, 0, 0, 255)]
    [InlineData(60, 1, 1, 255, 255, 0)]
    [InlineData(300, 0.5, 1, 255, 128, 255)]
    [InlineData(30, 1, 1, 255, 128, 0)]
    public void Hsv_converts_to_the_standard_rgb(double h, double s, double v, int r, int g, int b) =>
        Assert.Equal(new Rgb((byte)r, (byte)g, (byte)b), ClassPalette.FromHsv(h, s, v));

    [Fact]
    public void Composite_colours_shown_pixels_by_class_hue_and_level_and_adds_a_legend_row_per_class()
    {
        var background = new RgbImage(4, 1, new byte[12]); // black, so the blend shows alpha·colour
        int[] dominant = [0, 1, 2, ClassResponseMaps.NoDominantClass];
        float[] level = [1f, 0.5f, 0.1f, 1f];

        var picture = ClearComposite.Render(background, dominant, level, ["none", "mild", "moderate"], threshold: 0.2f, alpha: 1f);

        Assert.Equal(ClassPalette.Colour(0), Pixel(picture, 0, 0));          // V = 1
        Assert.Equal(ClassPalette.Colour(1, 0.5), Pixel(picture, 1, 0));     // V = 0.5: half as bright
        Assert.Equal(new Rgb(0, 0, 0), Pixel(picture, 2, 0));              // below the display threshold
        Assert.Equal(new Rgb(0, 0, 0), Pixel(picture, 3, 0));              // no dominant class
        Assert.True(picture.Height > 1 + 3 * BitmapFont5x7.GlyphHeight, "a legend row per class under the image");
        Assert.NotEqual(ClassPalette.Colour(0), ClassPalette.Colour(1));
        var swatches = Enumerable.Range(1, picture.Height - 1).Select(y => Pixel(picture, 3, y)).Distinct().ToList();
        Assert.Contains(ClassPalette.Colour(0), swatches);
        Assert.Contains(ClassPalette.Colour(2), swatches);
    }

    private static Rgb Pixel(RgbImage image, int x, int y)
    {
        int i = (y * image.Width + x) * 3;
        return new Rgb(image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]);
    }
}
