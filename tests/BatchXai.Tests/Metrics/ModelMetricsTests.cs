using System.Globalization;
using BatchXai.Core.Metrics;
using BatchXai.Tests.Imaging;

namespace BatchXai.Tests.Metrics;

/// <summary>Model metrics against closed forms and an independent numpy implementation run at test time.</summary>
public sealed class ModelMetricsTests
{
    [Fact]
    public void Quadratic_kappa_of_a_two_class_matrix_equals_cohens_kappa_by_hand()
    {
        // O = [[20, 5], [10, 15]]: p_o = 0.7, p_e = (25·30 + 25·20)/50² = 0.5, κ = (0.7 − 0.5)/(1 − 0.5) = 0.4;
        // with two classes the quadratic weights are the unweighted kappa's.
        var pairs = Enumerable.Repeat((0, 0), 20).Concat(Enumerable.Repeat((0, 1), 5)).Concat(Enumerable.Repeat((1, 0), 10)).Concat(Enumerable.Repeat((1, 1), 15));
        Assert.Equal(0.4, QuadraticWeightedKappa.Of(ConfusionMatrix.Of(pairs, 2)), 12);
    }

    [Fact]
    public void Quadratic_kappa_is_one_for_perfect_agreement_and_penalises_far_errors_more()
    {
        var perfect = ConfusionMatrix.Of(Enumerable.Range(0, 5).SelectMany(c => Enumerable.Repeat((c, c), 3)), 5);
        Assert.Equal(1.0, QuadraticWeightedKappa.Of(perfect), 12);
        // One grade-0 image called grade 1 versus called grade 4: the far error costs 16 times the weight.
        var near = ConfusionMatrix.Of(Enumerable.Range(0, 5).SelectMany(c => Enumerable.Repeat((c, c), 3)).Append((0, 1)), 5);
        var far = ConfusionMatrix.Of(Enumerable.Range(0, 5).SelectMany(c => Enumerable.Repeat((c, c), 3)).Append((0, 4)), 5);
        Assert.True(QuadraticWeightedKappa.Of(near) > QuadraticWeightedKappa.Of(far));
    }

    [Fact]
    public void Auc_of_a_perfect_ranking_is_one_ties_count_half_and_a_missing_class_is_undefined()
    {
        Assert.Equal(1.0, RocAuc.OneVsRest([0.9, 0.8, 0.1, 0.2], [true, true, false, false]));
        Assert.Equal(0.5, RocAuc.OneVsRest([0.5, 0.5], [true, false]));
        Assert.True(double.IsNaN(RocAuc.OneVsRest([0.5, 0.4], [false, false])));
    }

    [Fact]
    public void Every_metric_matches_an_independent_numpy_implementation()
    {
        const int classes = 5, n = 120;
        var random = new Random(12);
        var labels = new int[n];
        var predicted = new int[n];
        var probabilities = new float[n][];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.Next(classes);
            // A model that is right about 60% of the time and otherwise near the truth.
            predicted[i] = random.NextDouble() < 0.6 ? labels[i] : Math.Clamp(labels[i] + random.Next(-2, 3), 0, classes - 1);
            var p = Enumerable.Range(0, classes).Select(c => (float)(random.NextDouble() + (c == predicted[i] ? 1.5 : 0))).ToArray();
            // Rounded to 2 decimals so probability ties happen and the tie rule is tested too.
            float total = p.Sum();
            probabilities[i] = p.Select(v => MathF.Round(v / total, 2)).ToArray();
        }
        var metrics = ModelMetrics.Compute(labels, predicted, probabilities.Select(p => (IReadOnlyList<float>)p).ToList(), classes);

        string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var text = PythonReference.Run(Script, string.Join(",", labels), string.Join(",", predicted),
            string.Join(";", probabilities.Select(p => Join(p.Select(v => (double)v)))), classes.ToString(CultureInfo.InvariantCulture));
        var lines = text.Split('\n').Select(l => l.Trim().Split(' ')).ToDictionary(l => l[0], l => l[1..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());

        Assert.Equal(lines["accuracy"][0], metrics.Accuracy, 12);
        Assert.Equal(lines["qwk"][0], metrics.QuadraticWeightedKappa, 10);
        for (int c = 0; c < classes; c++)
        {
            Assert.Equal(lines["precision"][c], metrics.PerClass[c].Precision, 12);
            Assert.Equal(lines["recall"][c], metrics.PerClass[c].Recall, 12);
            Assert.Equal(lines["f1"][c], metrics.PerClass[c].F1, 12);
            Assert.Equal(lines["auc"][c], metrics.PerClass[c].Auc, 12);
            for (int j = 0; j < classes; j++) Assert.Equal(lines["confusion"][c * classes + j], metrics.Confusion[c, j]);
        }
    }

    // Independent of the C# code: AUC by counting every positive/negative pair, kappa from the
    // observed and expected agreement matrices written out with numpy.
    private const string Script = """
import sys
import numpy as np
y = np.array([int(v) for v in sys.argv[1].split(',')])
p = np.array([int(v) for v in sys.argv[2].split(',')])
prob = np.array([[float(v) for v in row.split(',')] for row in sys.argv[3].split(';')])
n = int(sys.argv[4])
O = np.zeros((n, n))
for a, b in zip(y, p):
    O[a, b] += 1
print('accuracy', (y == p).mean())
W = np.array([[(i - j) ** 2 / (n - 1) ** 2 for j in range(n)] for i in range(n)])
E = np.outer(O.sum(1), O.sum(0)) / O.sum()
print('qwk', 1 - (W * O).sum() / (W * E).sum())
prec, rec, f1, auc = [], [], [], []
for c in range(n):
    tp = ((y == c) & (p == c)).sum()
    pr = tp / (p == c).sum() if (p == c).sum() else 0.0
    rc = tp / (y == c).sum() if (y == c).sum() else 0.0
    prec.append(pr); rec.append(rc); f1.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    pos, neg = prob[y == c, c], prob[y != c, c]
    auc.append(np.mean([(a > b) + 0.5 * (a == b) for a in pos for b in neg]) if len(pos) and len(neg) else float('nan'))
for name, values in [('precision', prec), ('recall', rec), ('f1', f1), ('auc', auc)]:
    print(name, ' '.join(repr(float(v)) for v in values))
print('confusion', ' '.join(repr(float(v)) for v in O.flatten()))
""";
}
