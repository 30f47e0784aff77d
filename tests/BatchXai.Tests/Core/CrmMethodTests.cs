using BatchXai.Core;
using BatchXai.Core.Heads;
using BatchXai.Core.Methods;

namespace BatchXai.Tests.Core;

public class CrmMethodTests
{
    private const int K = 6, U = 5, V = 4, N = 5, Spatial = U * V;

    private static (LinearHead head, float[] sample) RandomLinearProblem(int seed)
    {
        var random = new Random(seed);
        var head = new LinearHead(N, K, ReferenceHeads.Random(random, N * K), ReferenceHeads.Random(random, N));
        var sample = ReferenceHeads.Random(random, K * Spatial, 3.0, nonNegative: true); // post-ReLU activations
        return (head, sample);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ClosedForm_equals_the_definition_on_a_gap_linear_head(int seed)
    {
        var (head, sample) = RandomLinearProblem(seed);
        var expected = ReferenceHeads.CrmByDefinition(s => ReferenceHeads.GapLinear(head.Weights, head.Bias, s, K, Spatial), sample, K, Spatial);

        var actual = CrmMethod.ClosedForm(head, sample, U, V);

        for (int p = 0; p < Spatial; p++)
            Assert.Equal(expected[p], actual.Values[p], expected[p] * 1e-5 + 1e-9);
    }

    [Fact]
    public void ClosedForm_and_ablation_agree_to_float_precision_on_a_linear_head()
    {
        var (head, sample) = RandomLinearProblem(7);
        var evaluator = new DelegateHeadEvaluator(K * Spatial, N, s => ReferenceHeads.GapLinear(head.Weights, head.Bias, s, K, Spatial));

        var closed = CrmMethod.ClosedForm(head, sample, U, V);
        var ablated = CrmMethod.Ablation(evaluator, sample, K, U, V, N);

        float max = closed.Max();
        for (int p = 0; p < Spatial; p++)
            Assert.True(Math.Abs(closed.Values[p] - ablated.Values[p]) <= 1e-5 * max, $"position {p}: closed {closed.Values[p]} vs ablation {ablated.Values[p]}");
    }

    [Fact]
    public void Ablation_follows_the_definition_on_a_non_linear_head_and_batches_its_calls()
    {
        // GAP → Linear(K,8) → ReLU → Linear(8,N): no closed form.
        var random = new Random(11);
        var w1 = ReferenceHeads.Random(random, 8 * K);
        var b1 = ReferenceHeads.Random(random, 8);
        var w2 = ReferenceHeads.Random(random, N * 8);
        var b2 = ReferenceHeads.Random(random, N);
        double[] Mlp(float[] s)
        {
            var hidden = ReferenceHeads.GapLinear(w1, b1, s, K, Spatial).Select(h => (float)Math.Max(0, h)).ToArray();
            return ReferenceHeads.GapLinear(w2, b2, hidden, 8, 1);
        }
        var sample = ReferenceHeads.Random(random, K * Spatial, 3.0, nonNegative: true);
        var evaluator = new DelegateHeadEvaluator(K * Spatial, N, Mlp, preferredBatch: 7);

        var map = CrmMethod.Ablation(evaluator, sample, K, U, V, N);
        var expected = ReferenceHeads.CrmByDefinition(Mlp, sample, K, Spatial);

        for (int p = 0; p < Spatial; p++)
            Assert.Equal(expected[p], map.Values[p], expected.Max() * 1e-5);
        Assert.Equal(7, evaluator.LargestBatch);
        Assert.Equal(1 + (Spatial + 6) / 7, evaluator.Calls); // one baseline call plus ceil(uv / 7) ablation batches
    }

    [Fact]
    public void Explain_uses_the_closed_form_for_linear_heads_and_the_evaluator_otherwise()
    {
        var (head, sample) = RandomLinearProblem(5);
        var batch = new FeatureBatch(2, K, U, V, [.. sample, .. sample.Select(x => x * 2)]);
        var counting = new DelegateHeadEvaluator(K * Spatial, N, s => ReferenceHeads.GapLinear(head.Weights, head.Bias, s, K, Spatial));

        var viaClosedForm = new CrmMethod().Explain(new ExplanationRequest(batch, new float[2 * N], [0, 0], ModelHead.ForLinear(head, counting)));
        Assert.Equal(0, counting.Calls);
        var viaAblation = new CrmMethod().Explain(new ExplanationRequest(batch, new float[2 * N], [0, 0], ModelHead.ForEvaluator(N, counting)));
        Assert.True(counting.Calls > 0);

        for (int b = 0; b < 2; b++)
            for (int p = 0; p < Spatial; p++)
                Assert.Equal(viaClosedForm[b].Values[p], viaAblation[b].Values[p], viaClosedForm[b].Max() * 1e-5);
        // Doubling the activations of a linear head scales every score drop by 2, so CRM by 4.
        for (int p = 0; p < Spatial; p++)
            Assert.Equal(4 * viaClosedForm[0].Values[p], viaClosedForm[1].Values[p], viaClosedForm[1].Max() * 1e-5);
    }
}
