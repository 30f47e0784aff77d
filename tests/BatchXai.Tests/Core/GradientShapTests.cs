using BatchXai.Core.Methods;
using BatchXai.Core.Paths;
using static BatchXai.Tests.Core.GradientMethodTests;

namespace BatchXai.Tests.Core;

/// <summary>
/// GradientSHAP on the quadratic model, whose IG from x' is exactly w_ck(x² − x'²)/(HW): with one
/// baseline and no noise it is a Monte-Carlo estimate of IG, so its error against IG falls as the
/// samples grow; the draws are seeded by the image, so a rerun gives the same map.
/// </summary>
public class GradientShapTests
{
    [Fact]
    public void With_the_black_baseline_and_no_noise_it_converges_to_integrated_gradients()
    {
        var (_, request, _, _) = Problem(5, [1, 2]);
        var ig = new IntegratedGradientsMethod(steps: 64, baseline: BaselineKind.Black).Explain(request);

        double ErrorAt(int samples)
        {
            var shap = new GradientShapMethod(samples, ShapBaselines.Black, noiseFraction: 0).Explain(request);
            return Enumerable.Range(0, Batch).Max(b => RelativeError(ig[b].Values, shap[b].Values));
        }

        double coarse = ErrorAt(64), fine = ErrorAt(4096);
        Assert.True(fine < 0.05, $"4096 samples: relative error {fine:E2} against IG");
        Assert.True(fine < coarse / 3, $"error did not shrink with samples: {coarse:E2} at 64, {fine:E2} at 4096");
    }

    [Fact]
    public void Batch_baselines_are_the_other_images()
    {
        var (_, request, inputs, head) = Problem(6, [0, 3]);
        var shap = new GradientShapMethod(4096, ShapBaselines.Batch, noiseFraction: 0).Explain(request);

        // Image 0's only baseline is image 1 (and vice versa): IG from it, in closed form, channel-summed.
        int size = C * Spatial;
        for (int b = 0; b < Batch; b++)
        {
            var expected = new float[Spatial];
            int other = 1 - b;
            for (int k = 0; k < C; k++)
                for (int p = 0; p < Spatial; p++)
                {
                    float x = inputs[b * size + k * Spatial + p], baseline = inputs[other * size + k * Spatial + p];
                    expected[p] += head.Weights[request.TargetClasses[b] * C + k] * (x * x - baseline * baseline) / Spatial;
                }
            double error = RelativeError(expected, shap[b].Values);
            Assert.True(error < 0.05, $"image {b}: relative error {error:E2} against IG from the other image");
        }
    }

    [Fact]
    public void A_rerun_draws_the_same_samples_and_writes_the_same_map()
    {
        var (_, request, _, _) = Problem(7, [2, 1]);
        var method = new GradientShapMethod(32, ShapBaselines.Blur, noiseFraction: 0.1, blurSigma: 1.5);
        var first = method.Explain(request);
        var second = new GradientShapMethod(32, ShapBaselines.Blur, noiseFraction: 0.1, blurSigma: 1.5).Explain(request);
        for (int b = 0; b < Batch; b++) Assert.Equal(first[b].Values, second[b].Values);
        Assert.NotEqual(first[0].Values, new GradientShapMethod(32, ShapBaselines.Black, noiseFraction: 0.1).Explain(request)[0].Values);
    }

    private static double RelativeError(float[] expected, float[] actual) =>
        expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) / expected.Max(Math.Abs);
}
