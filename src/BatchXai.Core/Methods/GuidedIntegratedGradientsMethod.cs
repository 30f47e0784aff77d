using BatchXai.Core.Options;
using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Maps;
using BatchXai.Core.Paths;

namespace BatchXai.Core.Methods;

/// <summary>
/// Guided IG (Kapishnikov et al. 2021): an adaptive path from the baseline that at each
/// step moves the features of smallest |∂S_c/∂x| towards the input (<see cref="GuidedPath"/>);
/// attribution = Σ_steps ∂S_c/∂x ⊙ Δx. A step depends on the previous one, so an image's steps
/// run in sequence — but the images of a batch step together, one engine call per step for all.
/// The map is the channel sum (signed), with the completeness delta Σ attribution − (S_c(x) − S_c(x')).
/// </summary>
public sealed class GuidedIntegratedGradientsMethod(int steps = GuidedIntegratedGradientsMethod.DefaultSteps,
    double fraction = GuidedIntegratedGradientsMethod.DefaultFraction, double maxDist = GuidedIntegratedGradientsMethod.DefaultMaxDist,
    BaselineKind baseline = BaselineKind.Black) : IExplanationMethod
{
    /// <summary>The reference implementation's defaults.</summary>
    public const int DefaultSteps = 200;
    public const double DefaultFraction = 0.25, DefaultMaxDist = 0.02;

    public static readonly IntOption Steps = new("guidedig-steps", "steps along the adaptive path", DefaultSteps, 1, 4096);
    public static readonly NumberOption Fraction = new("guidedig-fraction", "fraction of features moved per step", DefaultFraction, 1e-6, 1);
    public static readonly NumberOption MaxDist = new("guidedig-max-dist", "how far a feature's progress may stray from the step's", DefaultMaxDist, 0, 1);

    public static readonly MethodDescriptor Descriptor = new("guidedig", "IG along an adaptive path that moves low-gradient features first; costs steps gradient passes per image, in sequence",
        [Steps, Fraction, MaxDist, PathOptions.Baseline], o => new GuidedIntegratedGradientsMethod(o.Get(Steps), o.Get(Fraction), o.Get(MaxDist), o.Get(PathOptions.Baseline)))
        { Signed = true };

    public string Name => "guidedig";

    public bool NeedsGradients => true;

    public ExplanationMap[] Explain(ExplanationRequest request)
    {
        var (inputs, geometry, engine) = request.RequireGradients(Name);
        int size = geometry.SampleSize, classes = request.Head.Classes, batch = request.Batch;
        var paths = new GuidedPath[batch];
        for (int b = 0; b < batch; b++)
        {
            var x = inputs.AsSpan(b * size, size);
            paths[b] = new GuidedPath(x, Baseline.For(baseline, x, geometry), steps, fraction, maxDist);
        }
        var points = new float[batch * size];
        var seeds = request.TargetSeeds(0, batch);
        var baselineScores = new double[batch];
        for (int step = 0; step < steps; step++)
        {
            for (int b = 0; b < batch; b++) paths[b].WriteCurrent(points.AsSpan(b * size, size));
            var result = engine.Compute(points, batch, seeds, GradientRule.Exact, withTargetLayer: false);
            if (step == 0)
                for (int b = 0; b < batch; b++) baselineScores[b] = result.Logits[b * classes + request.TargetClasses[b]];
            Parallel.For(0, batch, b => paths[b].Advance(step, result.InputGradients.AsSpan(b * size, size)));
        }

        var maps = new ExplanationMap[batch];
        var attribution = new float[size];
        for (int b = 0; b < batch; b++)
        {
            double sum = 0;
            var path = paths[b].Attribution;
            for (int i = 0; i < size; i++) { attribution[i] = (float)path[i]; sum += path[i]; }
            maps[b] = geometry.ToPixelMap(attribution, ChannelCombine.Sum, 0f);
            maps[b].CompletenessDelta = sum - (request.Logits[b * classes + request.TargetClasses[b]] - baselineScores[b]);
        }
        return maps;
    }
}
