using BatchXai.Core;
using BatchXai.Core.Heads;
using BatchXai.Core.Methods;

namespace BatchXai.Tests.Core;

public class CamMethodTests
{
    [Fact]
    public void Cam_is_the_class_weighted_sum_of_feature_maps()
    {
        // K=2 maps of 2×2, 2 classes; CAM_c = Σ_k w[c,k]·A_k computed by hand.
        float[] a = [1, 2, 3, 4, /* map 1 */ 10, 0, 0, 10];
        var head = new LinearHead(2, 2, [0.5f, 1f, /* class 1 */ -1f, 0.25f], [0f, 0f]);
        var request = new ExplanationRequest(new FeatureBatch(1, 2, 2, 2, a), new float[2], [0], ModelHead.ForLinear(head));
        Assert.Equal([10.5f, 1f, 1.5f, 12f], new CamMethod().Explain(request)[0].Values);

        var forClass1 = new ExplanationRequest(new FeatureBatch(1, 2, 2, 2, a), new float[2], [1], ModelHead.ForLinear(head));
        Assert.Equal([1.5f, -2f, -3f, -1.5f], new CamMethod().Explain(forClass1)[0].Values);
    }

    [Fact]
    public void Cam_mean_plus_bias_reproduces_the_logit()
    {
        var random = new Random(3);
        const int K = 4, U = 3, V = 3, N = 3;
        var head = new LinearHead(N, K, ReferenceHeads.Random(random, N * K), ReferenceHeads.Random(random, N));
        var sample = ReferenceHeads.Random(random, K * U * V, 2, nonNegative: true);
        var logits = ReferenceHeads.GapLinear(head.Weights, head.Bias, sample, K, U * V);
        for (int c = 0; c < N; c++)
        {
            var cam = new CamMethod().Explain(new ExplanationRequest(new FeatureBatch(1, K, U, V, sample), new float[N], [c], ModelHead.ForLinear(head)))[0];
            Assert.Equal(logits[c], cam.Mean() + head.Bias[c], 1e-5);
        }
    }

    [Fact]
    public void Cam_refuses_generic_heads_with_a_reason()
    {
        Assert.Contains("gap-linear", new CamMethod().WhyUnsupported(HeadKind.Generic));
        Assert.Null(new CamMethod().WhyUnsupported(HeadKind.GapLinear));
        Assert.Null(((IExplanationMethod)new CrmMethod()).WhyUnsupported(HeadKind.Generic)); // the interface default: any head
    }

    [Fact]
    public void Registry_resolves_names_and_rejects_unknown_ones()
    {
        Assert.Equal(["crm", "cam"], MethodRegistry.Resolve("crm, CAM,crm").Select(m => m.Name));
        var error = Assert.Throws<ArgumentException>(() => MethodRegistry.Resolve("crm,shapley-magic"));
        Assert.Contains("'shapley-magic'", error.Message);
        Assert.Contains("crm", error.Message);
    }
}
