using System.Globalization;
using BatchXai.Core;
using BatchXai.Core.Maps;
using BatchXai.Core.Metrics;
using BatchXai.Tests.Imaging;

namespace BatchXai.Tests.Metrics;

/// <summary>
/// Deletion, insertion, ROAD's imputation and the mask metrics against numpy implementations of
/// README's "Metrics" definitions written independently in the test (run by Debian's python3 at test time), on a linear
/// softmax reference model whose every score numpy recomputes.
/// </summary>
public sealed class FaithfulnessMetricTests : IDisposable
{
    private const int Channels = 3, Height = 9, Width = 11, Classes = 3;
    private readonly NumberFiles _files = new();
    private static readonly InputGeometry Geometry = new(Channels, Height, Width, false, [-2f, -1.5f, -1f], [2f, 2.5f, 3f]);

    public void Dispose() => _files.Dispose();

    private string Save(string name, IEnumerable<double> values) => _files.Write(name, values);

    private static double[] Numbers(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [InlineData(0.2f)]
    [InlineData(200f)] // logits in the hundreds: a softmax without the maximum subtracted gives NaN
    public void Deletion_and_insertion_curves_and_areas_match_numpy(float weightScale)
    {
        var random = new Random(3);
        var input = Enumerable.Range(0, Geometry.SampleSize).Select(_ => (float)(random.NextDouble() * 3 - 1.5)).ToArray();
        // Values on a coarse grid so ties happen: the order's tie rule (pixel index) is part of the definition.
        var map = new ExplanationMap(Height, Width, Enumerable.Range(0, Height * Width).Select(_ => (float)random.Next(0, 12) - 3).ToArray());
        var model = LinearSoftmaxModel.Random(Classes, Geometry.SampleSize, 5, weightScale);
        const int target = 1, steps = 7;
        var evaluator = new FaithfulnessEvaluator(new FaithfulnessOptions(FaithfulnessMetric.Deletion | FaithfulnessMetric.Insertion, steps), Geometry);
        var metrics = evaluator.Evaluate(input, map, target, Classes, model, mask: null).ToDictionary(m => m.Name);
        Assert.Equal(1, model.Calls); // every copy of the image in one engine call

        var lines = PythonReference.Run(CurvesScript, Save("x", input.Select(v => (double)v)), Save("map", map.Values.Select(v => (double)v)),
            Save("w", model.Weights.Select(v => (double)v)), Save("b", model.Bias.Select(v => (double)v)),
            string.Join(",", Geometry.BlackPixel.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            $"{Channels},{Height},{Width},{Classes},{target},{steps},{FaithfulnessOptions.InsertionBlurSigma.ToString(CultureInfo.InvariantCulture)}").Split('\n');
        var deletion = Numbers(lines[0]);
        var insertion = Numbers(lines[1]);
        AssertCurve(deletion, metrics[ImageMetric.DeletionAuc]);
        AssertCurve(insertion, metrics[ImageMetric.InsertionAuc]);
    }

    private static void AssertCurve(double[] expected, ImageMetric actual)
    {
        // expected: the curve's points then its area
        Assert.Equal(expected.Length - 1, actual.Curve!.Length);
        for (int k = 0; k < actual.Curve.Length; k++) Assert.Equal(expected[k], actual.Curve[k], 5);
        Assert.Equal(expected[^1], actual.Value, 5);
    }

    // Petsiuk et al.'s curves from the definition: pixels ranked by map value (ties: lower index
    // first), round(k/K·P) of them replaced per step, p_c by softmax, area by np.trapz over [0, 1].
    // The blur: taps exp(−k²/2σ²) for |k| ≤ min(⌈3σ⌉, n−1), renormalised over the taps inside the image.
    private const string CurvesScript = """
import sys, math
import numpy as np
x = np.loadtxt(sys.argv[1]); m = np.loadtxt(sys.argv[2]).astype(np.float32)
W = np.loadtxt(sys.argv[3]); b = np.loadtxt(sys.argv[4])
black = [float(v) for v in sys.argv[5].split(',')]
C, H, Wd, N, t, K = [int(v) for v in sys.argv[6].split(',')[:6]]; sigma = float(sys.argv[6].split(',')[6])
x = x.reshape(C, H, Wd)
order = np.argsort(-m, kind='stable')
P = H * Wd
def prob(img):
    z = W.reshape(N, -1) @ img.reshape(-1) + b
    e = np.exp(z - z.max()); return e[t] / e.sum()
def blur1d(a, axis):
    n = a.shape[axis]; r = min(int(math.ceil(3 * sigma)), n - 1)
    taps = np.exp(-np.arange(-r, r + 1) ** 2 / (2 * sigma * sigma))
    out = np.zeros_like(a)
    for i in range(n):
        ks = [k for k in range(-r, r + 1) if 0 <= i + k < n]
        wsum = sum(taps[k + r] for k in ks)
        acc = sum(taps[k + r] * np.take(a, i + k, axis=axis) for k in ks) / wsum
        if axis == 1: out[:, i, :] = acc
        else: out[:, :, i] = acc
    return out
blurred = blur1d(blur1d(x, 2), 1)
baseline = np.stack([np.full((H, Wd), v) for v in black])
def curve(start, end):
    ys = []
    for k in range(K + 1):
        n = int(math.floor(k / K * P + 0.5))
        img = start.copy().reshape(C, P)
        img[:, order[:n]] = end.reshape(C, P)[:, order[:n]]
        ys.append(prob(img))
    return ys + [np.trapz(ys, dx=1.0 / K)]
print(' '.join(repr(float(v)) for v in curve(x, baseline)))
print(' '.join(repr(float(v)) for v in curve(blurred, x)))
""";

    [Fact]
    public void Noisy_linear_imputation_without_noise_solves_the_reference_sparse_system()
    {
        var geometry = new InputGeometry(2, 7, 8, false, [0f, 0f], [1f, 1f]);
        var random = new Random(8);
        var sample = Enumerable.Range(0, geometry.SampleSize).Select(_ => (float)random.NextDouble()).ToArray();
        // A removed blob touching the border, plus scattered pixels.
        var removed = new bool[geometry.PlaneSize];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 3; x++) removed[y * 8 + x] = true;
        foreach (int p in new[] { 20, 37, 45, 46, 55 }) removed[p] = true;
        var imputed = new float[geometry.SampleSize];
        NoisyLinearImputer.Impute(sample, removed, geometry, imputed, noise: 0, random: null, tolerance: 1e-12);

        var expected = Numbers(PythonReference.Run(RoadScript, Save("img", sample.Select(v => (double)v)),
            Save("mask", removed.Select(r => r ? 0.0 : 1.0)), "2,7,8"));
        Assert.Equal(expected.Length, imputed.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], imputed[i], 5);
    }

    // The ROAD reference's formulation: for each removed pixel, A[i, j] = w for removed in-image
    // neighbours, A[i, i] = −Σ w over in-image neighbours, b[i] = −Σ w x_j over kept neighbours; dense solve.
    private const string RoadScript = """
import sys
import numpy as np
C, H, W = [int(v) for v in sys.argv[3].split(',')]
img = np.loadtxt(sys.argv[1]).reshape(C, H * W); keep = np.loadtxt(sys.argv[2]) > 0.5
nb = [((1,1),1/12),((0,1),1/6),((-1,1),1/12),((1,-1),1/12),((0,-1),1/6),((-1,-1),1/12),((1,0),1/6),((-1,0),1/6)]
idx = np.flatnonzero(~keep); var = {p: i for i, p in enumerate(idx)}
A = np.zeros((len(idx), len(idx))); b = np.zeros((len(idx), C))
for i, p in enumerate(idx):
    y, x = divmod(p, W); s = 0.0
    for (dy, dx), w in nb:
        ny, nx = y + dy, x + dx
        if not (0 <= ny < H and 0 <= nx < W): continue
        s += w; q = ny * W + nx
        if keep[q]: b[i] -= w * img[:, q]
        else: A[i, var[q]] = w
    A[i, i] = -s
out = img.copy(); out[:, idx] = np.linalg.solve(A, b).T
print(' '.join(repr(float(v)) for v in out.reshape(-1)))
""";

    [Fact]
    public void Road_noise_is_seeded_by_the_image_and_lerf_keeps_the_score_better_than_morf_on_a_faithful_map()
    {
        var random = new Random(4);
        var input = Enumerable.Range(0, Geometry.SampleSize).Select(_ => (float)(random.NextDouble() * 3 - 1.5)).ToArray();
        var model = LinearSoftmaxModel.Random(Classes, Geometry.SampleSize, 6);
        const int target = 2;
        // A faithful map for a linear model: each pixel's contribution to S_target minus the mean of the others' logits.
        var map = new ExplanationMap(Height, Width);
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                for (int c = 0; c < Channels; c++)
                {
                    int i = Geometry.IndexOf(c, y, x);
                    double others = Enumerable.Range(0, Classes).Where(k => k != target).Average(k => model.Weights[k * Geometry.SampleSize + i]);
                    map[y, x] += (float)((model.Weights[target * Geometry.SampleSize + i] - others) * input[i]);
                }
        var evaluator = new FaithfulnessEvaluator(new FaithfulnessOptions(FaithfulnessMetric.Road), Geometry);
        var first = evaluator.Evaluate(input, map, target, Classes, model, null).ToDictionary(m => m.Name);
        var again = evaluator.Evaluate(input, map, target, Classes, model, null).ToDictionary(m => m.Name);
        Assert.Equal(first[ImageMetric.RoadMorf].Curve, again[ImageMetric.RoadMorf].Curve);
        Assert.Equal(9, first[ImageMetric.RoadLerf].Curve!.Length);
        Assert.True(first[ImageMetric.RoadLerf].Value > first[ImageMetric.RoadMorf].Value,
            $"LeRF {first[ImageMetric.RoadLerf].Value} should stay above MoRF {first[ImageMetric.RoadMorf].Value}");
    }

    [Fact]
    public void Pointing_game_mask_energy_and_roi_iou_match_numpy()
    {
        var random = new Random(9);
        const int h = 20, w = 24, tolerance = 3;
        var map = new ExplanationMap(h, w, Enumerable.Range(0, h * w).Select(_ => (float)(random.NextDouble() * 2 - 0.6)).ToArray());
        var mask = new bool[h * w];
        for (int y = 5; y < 11; y++) for (int x = 12; x < 20; x++) mask[y * w + x] = true;
        var actual = new[] { MaskAgreement.PointingHit(map, mask, tolerance), MaskAgreement.EnergyInside(map, mask), MaskAgreement.RoiIou(map, mask, signed: true) };
        // A second mask placed away from the peak, so a miss is tested too.
        int peak = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(map.Values);
        var far = new bool[h * w];
        far[((peak / w + h / 2) % h) * w + (peak % w + w / 2) % w] = true;
        Assert.Equal(0, MaskAgreement.PointingHit(map, far, tolerance));

        var expected = Numbers(PythonReference.Run(MaskScript, Save("map", map.Values.Select(v => (double)v)), Save("mask", mask.Select(m => m ? 1.0 : 0.0)),
            $"{h},{w},{tolerance}"));
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    private const string MaskScript = """
import sys
import numpy as np
h, w, t = [int(v) for v in sys.argv[3].split(',')]
m = np.loadtxt(sys.argv[1]).astype(np.float32).reshape(h, w); mask = np.loadtxt(sys.argv[2]).reshape(h, w) > 0.5
py, px = np.unravel_index(np.argmax(m), m.shape)
ys, xs = np.nonzero(mask)
hit = float(((ys - py) ** 2 + (xs - px) ** 2 <= t * t).any())
pos = np.maximum(m, 0)
energy = pos[mask].sum() / pos.sum()
roi = m >= np.float32(0.2) * np.float32(np.percentile(np.abs(m), 99.5))  # the ROI of a signed map
iou = (roi & mask).sum() / (roi | mask).sum()
print(hit, energy, iou)
""";
}
