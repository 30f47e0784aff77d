using BatchXai.Core.Methods;
using BatchXai.Core.Paths;
using BatchXai.Tests.Model;
using Xunit.Abstractions;

namespace BatchXai.Tests.Metrics;

/// <summary>
/// <c>--ig-tolerance</c> on the bundled grader: each image's path is refined until its completeness
/// delta is within the tolerance of the score gap (or the cap), and the refined map equals the
/// fixed-step trapezoid IG at the step count it reports — so reusing the evaluated nodes loses nothing.
/// </summary>
public sealed class IgToleranceTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("batchxai-igtol-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Refined_ig_reaches_its_completeness_target_and_equals_fixed_step_ig_at_the_steps_it_took()
    {
        var (model, request) = GraderRequest.Prepare(_data, images: 3);
        using var _ = model;
        const double tolerance = 0.01;
        var refined = IntegratedGradientsMethod.From(new MethodOptions(new Dictionary<string, string> { ["ig-steps"] = "4", ["ig-tolerance"] = "0.01" })).Explain(request);
        for (int b = 0; b < request.Batch; b++)
        {
            var map = refined[b];
            int steps = map.PathSteps!.Value;
            Assert.True(steps >= 4 && (steps & (steps - 1)) == 0, $"image {b}: {steps} steps is not 4 doubled");
            // The existing fixed-step path integral on this image, at the refined step count.
            var geometry = request.Geometry!;
            var x = request.Inputs!.AsSpan(b * geometry.SampleSize, geometry.SampleSize).ToArray();
            var path = new StraightPath(Baseline.For(BaselineKind.Black, x, geometry), x);
            var exact = PathIntegral.Integrate(request.Gradients!, path, Quadrature.Trapezoid(steps), request.TargetClasses[b], request.Head.Classes, geometry.SampleSize);
            var fixedMap = geometry.ToPixelMap(exact.Attribution, ChannelCombine.Sum, 0f);
            fixedMap.CompletenessDelta = exact.CompletenessDelta;
            double scale = fixedMap.Values.Max(v => Math.Abs(v));
            double worst = map.Values.Zip(fixedMap.Values).Max(p => Math.Abs(p.First - p.Second));
            double gap = exact.ScoreGap;
            output.WriteLine($"image {b}: {steps} steps, delta {map.CompletenessDelta:G3} = {Math.Abs(map.CompletenessDelta!.Value / gap):P3} of the gap {gap:F4}; " +
                $"max |refined - fixed| = {worst / scale:E2} of the map's max");
            Assert.True(worst <= 1e-4 * scale, $"image {b}: refined and fixed-step maps differ by {worst} (max {scale})");
            Assert.True(Math.Abs(map.CompletenessDelta!.Value) <= tolerance * Math.Abs(gap) || steps * 2 > IntegratedGradientsMethod.DefaultMaxSteps,
                $"image {b}: delta {map.CompletenessDelta} above {tolerance:P0} of {gap} at {steps} steps");
        }
    }

    [Fact]
    public void A_tolerance_with_gauss_legendre_is_refused_naming_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => IntegratedGradientsMethod.From(new MethodOptions(new Dictionary<string, string>
        {
            ["ig-tolerance"] = "0.01", ["ig-rule"] = "gauss-legendre",
        })));
        Assert.Contains("--ig-tolerance", e.Message);
    }
}
