using BatchXai.Core;
using BatchXai.Core.Audit;
using BatchXai.Core.Audit.Causal;
using BatchXai.Tests.Metrics;

namespace BatchXai.Tests.Audit;

/// <summary>
/// The causal check's masking and measures against closed forms: the surround and corners become the
/// black baseline and nothing else changes; an imputed hot region on a constant retina is that
/// constant (the harmonic fill of a constant boundary); the colour probe gives the field of view the
/// target mean; class probabilities and flips equal softmax of a linear model's logits computed here.
/// </summary>
public sealed class CausalCheckTests
{
    private static readonly InputGeometry Geometry = new(3, 24, 24, ChannelsLast: false, BlackPixel: [-2f, -2f, -2f], WhitePixel: [2f, 2f, 2f]);
    private static readonly FieldOfView Disc = FieldOfView.Disc(24, 24, 12, 12, 9);

    private static float[] RandomInput(int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, Geometry.SampleSize).Select(_ => (float)(rng.NextDouble() * 3 - 1.5))];
    }

    [Fact]
    public void Masking_the_surround_sets_every_pixel_outside_the_field_of_view_to_black_and_leaves_the_retina()
    {
        var input = RandomInput(1);
        var masked = new float[input.Length];
        double inside = RegionMask.Apply(input, SuspectRegion.OutsideFieldOfView(["a"]), Disc, Geometry, [0.5, 0.5, 0.5], masked);

        Assert.Equal(0, inside);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                {
                    int i = Geometry.IndexOf(c, y, x);
                    Assert.Equal(Disc.Contains(x, y) ? input[i] : -2f, masked[i]);
                }
    }

    [Fact]
    public void A_corner_is_masked_only_where_it_lies_outside_the_field_of_view()
    {
        var input = RandomInput(2);
        var masked = new float[input.Length];
        RegionMask.Apply(input, SuspectRegion.CornerOf(ImageCorner.TopLeft, ["a"]), Disc, Geometry, [0.5, 0.5, 0.5], masked);
        int corner = (int)Math.Round(24 * 0.15); // FrameRegions' 15 % corner square: 4 px
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 24; x++)
            {
                int i = Geometry.IndexOf(1, y, x);
                bool blacked = x < corner && y < corner && !Disc.Contains(x, y);
                Assert.Equal(blacked ? -2f : input[i], masked[i]);
            }
    }

    [Fact]
    public void An_imputed_hot_region_on_a_constant_retina_takes_the_constant()
    {
        var input = Enumerable.Repeat(0.25f, Geometry.SampleSize).ToArray();
        // A bright ring-like patch at x 14-17, y 6-9 (inside the disc), the box around it masked.
        for (int c = 0; c < 3; c++)
            for (int y = 6; y < 10; y++)
                for (int x = 14; x < 18; x++) input[Geometry.IndexOf(c, y, x)] = 1.9f;
        var region = SuspectRegion.HotRegionOf("crm", 1, (14 / 24.0, 6 / 24.0, 18 / 24.0, 10 / 24.0), ["a"]);
        var masked = new float[input.Length];
        double inside = RegionMask.Apply(input, region, Disc, Geometry, [0.5, 0.5, 0.5], masked);

        Assert.Equal(1, inside);
        Assert.All(masked, v => Assert.Equal(0.25f, v, 1e-4f));
    }

    [Fact]
    public void The_colour_probe_gives_the_field_of_view_the_target_colour_balance_keeps_its_brightness_and_leaves_the_surround()
    {
        var input = RandomInput(3);
        double[] target = [0.5, 0.55, 0.45]; // gains within ±12 %: nothing clips
        var before = RegionMask.MeanColour(input, Disc, Geometry);
        var masked = new float[input.Length];
        RegionMask.Apply(input, SuspectRegion.Colour(["a"]), Disc, Geometry, target, masked);

        var after = RegionMask.MeanColour(masked, Disc, Geometry);
        double brightness = before.Sum();
        for (int c = 0; c < 3; c++) Assert.Equal(target[c] / target.Sum() * brightness, after[c], 1e-5);
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 24; x++)
                if (!Disc.Contains(x, y)) Assert.Equal(input[Geometry.IndexOf(0, y, x)], masked[Geometry.IndexOf(0, y, x)]);
        // Each channel scaled about black, in pixel units (black 0, white 1, here value = -2 + 4 u).
        int probe = Geometry.IndexOf(2, 12, 12);
        double gain = target[2] / target.Sum() * brightness / before[2];
        Assert.Equal(-2 + (input[probe] + 2) * gain, masked[probe], 1e-4);
    }

    [Fact]
    public void Score_drop_and_flip_rate_are_the_softmax_of_the_linear_models_logits_before_and_after()
    {
        // Class 0 reads only the surround (channel 0): a model whose class 0 is a shortcut outside the anatomy.
        int size = Geometry.SampleSize;
        var weights = new float[2 * size];
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 24; x++)
                if (!Disc.Contains(x, y)) weights[Geometry.IndexOf(0, y, x)] = 0.05f;
        var model = new LinearSoftmaxModel(weights, [0f, 1f], size);
        var images = Enumerable.Range(0, 6).Select(i => new ProbeImage($"img{i}", RandomInput(10 + i), Disc)).ToList();
        // A bright surround on four of them fires the shortcut; a dark one on the other two does not.
        foreach (var (image, i) in images.Select((image, i) => (image, i)))
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                    if (!Disc.Contains(x, y)) image.Input[Geometry.IndexOf(0, y, x)] = i < 4 ? 1.8f : -1.5f;

        var effect = new CausalCheck(Geometry, model, 2).Measure(SuspectRegion.OutsideFieldOfView([.. images.Select(i => i.Key)]), 0, images, [0.5, 0.5, 0.5]);

        double Logit0(float[] input) => Enumerable.Range(0, size).Sum(i => (double)weights[i] * input[i]);
        double P0(double logit0) => 1 / (1 + Math.Exp(1 - logit0));
        int outsidePixels = Enumerable.Range(0, 24 * 24).Count(p => !Disc.Contains(p % 24, p / 24));
        double maskedLogit0 = 0.05 * -2 * outsidePixels;
        var before = images.Select(i => P0(Logit0(i.Input))).ToList();
        double expectedDrop = before.Average(p => p - P0(maskedLogit0));
        int predicted0 = before.Count(p => p > 0.5);
        int flipped = before.Count(p => p > 0.5 && P0(maskedLogit0) <= 0.5);

        Assert.Equal(6, effect.Images);
        Assert.Equal(before.Average(), effect.MeanScore, 1e-5);
        Assert.Equal(expectedDrop, effect.MeanScoreDrop, 1e-5);
        Assert.Equal(4, predicted0);
        Assert.Equal((double)flipped / predicted0, effect.FlipRate, 1e-12);
        Assert.Equal(1.0, effect.FlipRate);
        Assert.True(effect.OutsideAnatomy);
        // Originals in one engine call, the masked copies in another.
        Assert.Equal(2, model.Calls);
        Assert.Equal(AuditSeverity.Critical, CausalFindings.SeverityOf(effect, margin: 0.5));
    }

    [Fact]
    public void On_a_sigmoid_head_drop_and_flips_follow_the_finding_s_own_probability_and_threshold()
    {
        // Three findings, each its own sigmoid: finding 0 reads only the surround (a shortcut), finding 1 is always present
        // (bias 20: under a softmax it would out-score finding 0 on every image, so nothing would count as predicted 0).
        int size = Geometry.SampleSize;
        var weights = new float[3 * size];
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 24; x++)
                if (!Disc.Contains(x, y)) weights[Geometry.IndexOf(0, y, x)] = 0.02f;
        var model = new LinearSoftmaxModel(weights, [-1f, 20f, -2f], size);
        var images = Enumerable.Range(0, 6).Select(i => new ProbeImage($"img{i}", RandomInput(20 + i), Disc)).ToList();
        foreach (var (image, i) in images.Select((image, i) => (image, i)))
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                    if (!Disc.Contains(x, y)) image.Input[Geometry.IndexOf(0, y, x)] = i < 4 ? 1.8f : -1.5f;
        const double threshold = 0.6;

        var effect = new CausalCheck(Geometry, model, 3, findingThreshold: threshold)
            .Measure(SuspectRegion.OutsideFieldOfView([.. images.Select(i => i.Key)]), 0, images, [0.5, 0.5, 0.5]);

        // Closed form: S_0 = Σ w·x − 1, p_0 = 1 / (1 + e^−S_0); masked, the surround is black (−2).
        static double Sigmoid(double s) => 1 / (1 + Math.Exp(-s));
        double S0(float[] input) => Enumerable.Range(0, size).Sum(i => (double)weights[i] * input[i]) - 1;
        int outsidePixels = Enumerable.Range(0, 24 * 24).Count(p => !Disc.Contains(p % 24, p / 24));
        double pMasked = Sigmoid(0.02 * -2 * outsidePixels - 1);
        var before = images.Select(i => Sigmoid(S0(i.Input))).ToList();
        int present = before.Count(p => p >= threshold);
        int flipped = before.Count(p => p >= threshold && pMasked < threshold);

        Assert.Equal(4, present);
        Assert.Equal(before.Average(), effect.MeanScore, 1e-5);
        Assert.Equal(before.Average(p => p - pMasked), effect.MeanScoreDrop, 1e-5);
        Assert.Equal((double)flipped / present, effect.FlipRate, 1e-12);
        Assert.Equal(1.0, effect.FlipRate);
        Assert.Equal(images.Take(4).Select(i => i.Key), effect.Flipped);
        Assert.Equal(AuditSeverity.Critical, CausalFindings.SeverityOf(effect, margin: 0.5));

        // The same model read as a softmax head: finding 1 wins every image, so no image is "predicted 0" and none flips.
        var softmax = new CausalCheck(Geometry, model, 3).Measure(SuspectRegion.OutsideFieldOfView([.. images.Select(i => i.Key)]), 0, images, [0.5, 0.5, 0.5]);
        Assert.Equal(0, softmax.FlipRate);
    }

    [Fact]
    public void Dependence_inside_the_anatomy_warns_only_for_a_candidate_cluster_a_small_fixed_spot_or_the_colour_and_never_below_the_margin()
    {
        RegionEffect Effect(SuspectRegion region, double flip, double inside) => new(region, 1, 10, 0.9, 0.1, flip, inside, []);
        var large = SuspectRegion.HotRegionOf("crm", 1, (0.2, 0.2, 0.8, 0.6), ["a"]); // 24 % of the frame
        var candidate = large with { Candidate = true };
        var spot = SuspectRegion.HotRegionOf("crm", 0, (0.6, 0.25, 0.75, 0.4), ["a"]); // 2.25 %

        Assert.Equal(AuditSeverity.Warning, CausalFindings.SeverityOf(Effect(candidate, 0.8, 1.0), 0.5));
        Assert.Equal(AuditSeverity.Warning, CausalFindings.SeverityOf(Effect(spot, 0.8, 1.0), 0.5));
        Assert.Equal(AuditSeverity.Info, CausalFindings.SeverityOf(Effect(large, 0.8, 1.0), 0.5));
        Assert.Equal(AuditSeverity.Info, CausalFindings.SeverityOf(Effect(spot, 0.4, 1.0), 0.5));
        Assert.Equal(AuditSeverity.Critical, CausalFindings.SeverityOf(Effect(large, 0.8, 0.1), 0.5));
        Assert.Equal(AuditSeverity.Warning, CausalFindings.SeverityOf(Effect(SuspectRegion.Colour(["a"]), 0.6, 1.0), 0.5));
        Assert.Equal(AuditSeverity.Info, CausalFindings.SeverityOf(Effect(SuspectRegion.OutsideFieldOfView(["a"]), 0.4, 0.0), 0.5));
    }
}
