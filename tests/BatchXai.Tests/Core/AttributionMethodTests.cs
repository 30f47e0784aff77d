using BatchXai.Core;
using BatchXai.Core.Methods;
using BatchXai.Core.Paths;
using static BatchXai.Tests.Core.GradientMethodTests;

namespace BatchXai.Tests.Core;

/// <summary>SmoothGrad, Grad-CAM++ and occlusion on <see cref="QuadraticGapModel"/>, whose derivatives are known in closed form.</summary>
public class AttributionMethodTests
{
    [Fact]
    public void SmoothGrad_with_one_noiseless_sample_is_saliency()
    {
        var (_, request, _, _) = Problem(5, [1, 3]);
        var smooth = new SmoothGradMethod(samples: 1, noiseFraction: 0).Explain(request);
        var saliency = new SaliencyMethod().Explain(request);
        for (int b = 0; b < Batch; b++) Assert.Equal(saliency[b].Values, smooth[b].Values);
    }

    [Fact]
    public void SmoothGrad_is_the_mean_of_per_sample_gradients_and_batches_each_images_copies()
    {
        var (model, request, inputs, head) = Problem(6, [2, 1]);
        const int samples = 6;
        var method = new SmoothGradMethod(samples, noiseFraction: 0.2);
        var maps = method.Explain(request);
        Assert.Equal([samples, samples], model.BatchSizes); // all copies of an image in one call

        int size = C * Spatial;
        for (int b = 0; b < Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size).ToArray();
            var copies = new float[samples * size];
            method.AddNoise(x, request.Geometry!, copies);
            // The noise has the asked-for level: σ = 0.2 · (white − black) per channel.
            for (int k = 0; k < C; k++)
            {
                var d = Enumerable.Range(0, samples).SelectMany(s => Enumerable.Range(0, Spatial).Select(p => (double)copies[s * size + k * Spatial + p] - x[k * Spatial + p])).ToArray();
                double std = Math.Sqrt(d.Sum(v => v * v) / d.Length);
                Assert.InRange(std / (0.2 * request.Geometry!.Range(k)), 0.6, 1.4);
            }
            // Reference: ∂S_c/∂x = 2 w_ck x / HW at each copy, averaged, then max |·| over channels.
            var w = head.ClassWeights(request.TargetClasses[b]).ToArray();
            for (int p = 0; p < Spatial; p++)
            {
                double max = 0;
                for (int k = 0; k < C; k++)
                {
                    double mean = Enumerable.Range(0, samples).Average(s => 2.0 * w[k] * copies[s * size + k * Spatial + p] / Spatial);
                    max = Math.Max(max, Math.Abs(mean));
                }
                Assert.Equal(max, maps[b].Values[p], 1e-5);
            }
        }
        // Seeded by the image: a second run draws the same noise.
        Assert.Equal(maps[0].Values, method.Explain(request)[0].Values);
    }

    [Fact]
    public void GradCamPlusPlus_on_a_gap_linear_head_weights_channels_by_their_closed_form()
    {
        // Here ∂S_c/∂A_k = w_ck/HW =: γ_k everywhere, so α = 1/(2 + γ_k Σ A_k) and
        // w_k++ = HW · ReLU(γ_k) / (2 + γ_k Σ A_k): negative head weights drop out, unlike Grad-CAM.
        var (_, request, _, head) = Problem(7, [0, 2]);
        var maps = new GradCamPlusPlusMethod().Explain(request);
        var gradcam = new GradCamMethod().Explain(request);
        bool differsFromGradCam = false;
        for (int b = 0; b < Batch; b++)
        {
            var a = request.Features.Sample(b); // A = x² on this model, as its Compute returns
            var w = head.ClassWeights(request.TargetClasses[b]);
            var expected = new double[Spatial];
            for (int k = 0; k < C; k++)
            {
                double gamma = w[k] / Spatial, sumA = 0;
                for (int p = 0; p < Spatial; p++) sumA += a[k * Spatial + p];
                double weight = Spatial * Math.Max(gamma, 0) / (2 + gamma * sumA);
                for (int p = 0; p < Spatial; p++) expected[p] += weight * a[k * Spatial + p];
            }
            for (int p = 0; p < Spatial; p++)
            {
                Assert.Equal(Math.Max(0, expected[p]), maps[b].Values[p], 1e-5);
                differsFromGradCam |= Math.Abs(maps[b].Values[p] / maps[b].Max() - gradcam[b].Values[p] / gradcam[b].Max()) > 1e-3;
            }
        }
        Assert.True(differsFromGradCam, "with mixed-sign head weights Grad-CAM++ should not reduce to Grad-CAM");
    }

    [Fact]
    public void GradCamPlusPlus_equals_gradcam_up_to_a_positive_scale_when_one_channel_carries_the_class()
    {
        // Only channel 2 weighs in: Grad-CAM = ReLU(γ A_2) and Grad-CAM++ = w++ A_2, both multiples of A_2 ≥ 0.
        var (_, request, _, head) = Problem(8, [1, 1]);
        for (int k = 0; k < C; k++) head.Weights[1 * C + k] = k == 2 ? 0.8f : 0f;
        var plus = new GradCamPlusPlusMethod().Explain(request);
        var gradcam = new GradCamMethod().Explain(request);
        for (int b = 0; b < Batch; b++)
        {
            double scale = plus[b].Max() / gradcam[b].Max();
            Assert.True(scale > 0 && double.IsFinite(scale));
            for (int p = 0; p < Spatial; p++) Assert.Equal(scale * gradcam[b].Values[p], plus[b].Values[p], 1e-5);
        }
    }

    [Fact]
    public void Occlusion_map_values_are_score_drops_of_their_windows()
    {
        var (model, request, inputs, _) = Problem(9, [3, 0]);
        int size = C * Spatial;
        // H = 4, W = 5 with a 2-pixel patch at stride 2: rows 0, 2; columns 0, 2, 3 (the last reaches the edge).
        Assert.Equal([0, 2, 3], OcclusionMethod.Offsets(W, 2, 2));
        var maps = new OcclusionMethod(patch: 2, stride: 2, BaselineKind.Black).Explain(request);
        Assert.Equal([1 + 2 * 3, 1 + 2 * 3], model.BatchSizes); // x and its six occluded copies in one call

        for (int b = 0; b < Batch; b++)
        {
            var x = inputs.AsSpan(b * size, size).ToArray();
            int c = request.TargetClasses[b];
            double Drop(int top, int left)
            {
                var occluded = (float[])x.Clone();
                for (int k = 0; k < C; k++)
                    for (int y = top; y < top + 2; y++)
                        for (int col = left; col < left + 2; col++) occluded[k * Spatial + y * W + col] = request.Geometry!.BlackPixel[k];
                return model.Score(x, c) - model.Score(occluded, c);
            }
            Assert.Equal(Drop(0, 0), maps[b][1, 1], 1e-4);                         // one window
            Assert.Equal(Drop(2, 0), maps[b][3, 0], 1e-4);
            Assert.Equal((Drop(0, 2) + Drop(0, 3)) / 2, maps[b][0, 3], 1e-4);       // column 3 lies in two windows
        }
    }
}
