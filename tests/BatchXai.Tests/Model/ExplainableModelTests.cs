using BatchXai.Core.Heads;
using BatchXai.Core.Methods;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Model;
using BatchXai.Tests.Graph;

namespace BatchXai.Tests.Model;

/// <summary>The model layer against torch's own numbers for the exported fixtures.</summary>
public class ExplainableModelTests
{
    private static float[] Data(string fixture, string what) => GraphFixtures.Floats(GraphFixtures.Expected(fixture).GetProperty(what).GetProperty("data"));

    [Theory]
    [InlineData(GraphFixtures.GapLinear, "gap-linear")]
    [InlineData(GraphFixtures.MlpHead, "generic")]
    public void Forward_returns_torchs_logits_and_target_layer_activations(string fixture, string head)
    {
        using var files = new FixtureModel(fixture, head);
        using var model = ExplainableModel.Load(files.ManifestPath);
        var forward = model.Forward(Data(fixture, "input"), 1);

        AssertClose(Data(fixture, "logits"), forward.Logits, 1e-5);
        AssertClose(Data(fixture, "target"), forward.Features.Values, 1e-5);
        Assert.Equal((16, 16, 16), model.FeatureShape);
    }

    [Fact]
    public void Probed_linear_head_reproduces_torchs_logits_from_torchs_features()
    {
        using var files = new FixtureModel(GraphFixtures.GapLinear);
        using var model = ExplainableModel.Load(files.ManifestPath);
        var linear = model.Head.Linear!;
        var features = Data(GraphFixtures.GapLinear, "target");
        var (k, u, v) = model.FeatureShape;

        var scores = ReferenceScores(linear, features, k, u * v);
        AssertClose(Data(GraphFixtures.GapLinear, "logits"), scores, 1e-5);
    }

    [Fact]
    public void Crm_closed_form_equals_ablation_through_the_real_onnx_head()
    {
        using var files = new FixtureModel(GraphFixtures.GapLinear);
        using var model = ExplainableModel.Load(files.ManifestPath);
        var features = Data(GraphFixtures.GapLinear, "target");
        var (k, u, v) = model.FeatureShape;
        Assert.True(((OnnxHeadEvaluator)model.Head.Evaluator!).InDoublePrecision);

        var closed = CrmMethod.ClosedForm(model.Head.Linear!, features, u, v);
        var ablated = CrmMethod.Ablation(model.Head.Evaluator!, features, k, u, v, model.Head.Classes);

        float max = closed.Max();
        Assert.True(max > 0);
        double worst = Enumerable.Range(0, u * v).Max(p => Math.Abs(closed.Values[p] - ablated.Values[p])) / max;
        Assert.True(worst <= 1e-5, $"worst |closed - ablation| / max = {worst:G3}");
    }

    [Fact]
    public void Class_score_maps_from_the_forward_pass_give_the_managed_closed_forms()
    {
        using var files = new FixtureModel(GraphFixtures.GapLinear);
        using var model = ExplainableModel.Load(files.ManifestPath);
        var input = Data(GraphFixtures.GapLinear, "input");
        var forward = model.Forward([.. input, .. input.Select(x => 1 - x)], 2);
        Assert.NotNull(forward.ClassScoreMaps);
        var (_, u, v) = model.FeatureShape;

        int[] targets = [1, 3];
        var withMaps = new ExplanationRequest(forward.Features, forward.Logits, targets, model.Head, forward.ClassScoreMaps);
        var withoutMaps = new ExplanationRequest(forward.Features, forward.Logits, targets, model.Head);
        foreach (var method in new IExplanationMethod[] { new CrmMethod(), new CamMethod() })
        {
            var fromRuntime = method.Explain(withMaps);
            var managed = method.Explain(withoutMaps);
            for (int b = 0; b < 2; b++)
            {
                float scale = managed[b].Values.Max(Math.Abs);
                Assert.True(scale > 0);
                for (int p = 0; p < u * v; p++)
                    Assert.True(Math.Abs(fromRuntime[b].Values[p] - managed[b].Values[p]) <= 1e-5 * scale, $"{method.Name} image {b} position {p}");
            }
        }
    }

    [Fact]
    public void Generic_head_crm_batches_ablations_and_matches_one_at_a_time_scoring()
    {
        using var files = new FixtureModel(GraphFixtures.MlpHead, head: "generic");
        using var model = ExplainableModel.Load(files.ManifestPath);
        Assert.Equal(HeadKind.Generic, model.Head.Kind);
        Assert.Null(model.Head.Linear);
        var features = Data(GraphFixtures.MlpHead, "target");
        var (k, u, v) = model.FeatureShape;
        var evaluator = model.Head.Evaluator!;

        var map = CrmMethod.Ablation(evaluator, features, k, u, v, model.Head.Classes);

        // Reference: score each ablated tensor alone and sum squared score drops in double.
        var baseline = new double[model.Head.Classes];
        evaluator.Evaluate(features, 1, baseline);
        AssertClose(Data(GraphFixtures.MlpHead, "logits"), baseline.Select(x => (float)x).ToArray(), 1e-5); // the head alone agrees with torch
        var scores = new double[model.Head.Classes];
        foreach (int p in new[] { 0, 17, 100, u * v - 1 })
        {
            var ablated = (float[])features.Clone();
            for (int c = 0; c < k; c++) ablated[c * u * v + p] = 0;
            evaluator.Evaluate(ablated, 1, scores);
            double expected = baseline.Zip(scores, (a, b) => (a - b) * (a - b)).Sum();
            Assert.Equal(expected, map.Values[p], expected * 1e-5);
        }
        Assert.True(map.Max() > 0);
    }

    [Fact]
    public void A_head_that_is_not_gap_linear_is_refused_when_the_manifest_claims_it()
    {
        using var files = new FixtureModel(GraphFixtures.MlpHead, head: "gap-linear");
        var error = Assert.Throws<ModelLoadException>(() => ExplainableModel.Load(files.ManifestPath));
        Assert.Contains("\"generic\"", error.Message);
    }

    [Fact]
    public void A_wrong_target_layer_names_the_field()
    {
        using var files = new FixtureModel(GraphFixtures.GapLinear, targetLayer: "/features/nope");
        var error = Assert.Throws<ManifestException>(() => ExplainableModel.Load(files.ManifestPath));
        Assert.Contains(error.Problems, p => p.Field == "targetLayer");
    }

    private static float[] ReferenceScores(LinearHead head, float[] features, int channels, int spatial)
    {
        var scores = new float[head.Classes];
        for (int c = 0; c < head.Classes; c++)
        {
            double s = head.Bias[c];
            for (int k = 0; k < channels; k++)
                s += head.Weights[c * channels + k] * features.AsSpan(k * spatial, spatial).ToArray().Average(x => (double)x);
            scores[c] = (float)s;
        }
        return scores;
    }

    private static void AssertClose(float[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1e-6, expected.Max(x => Math.Abs((double)x)));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"[{i}] expected {expected[i]:G9}, got {actual[i]:G9}");
    }
}
