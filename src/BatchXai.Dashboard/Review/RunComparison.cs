using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Dashboard.Review;

/// <summary>One class view in both runs: how their class-level maps differ, and each run's class ROI and image count.</summary>
public sealed record ClassMapDelta(string Method, int ClassIndex, string ClassName, int ImagesA, int ImagesB, double RoiRatioA, double RoiRatioB,
    MapDifference? Difference, string? Problem);

/// <summary>A metric in both runs and B − A (null where either run lacks it).</summary>
public sealed record MetricDelta(string Scope, string Metric, int ClassIndex, string? ClassName, double? A, double? B, double? Delta);

/// <summary>A verdict that changed between the runs.</summary>
public sealed record VerdictDelta(int ClassIndex, string ClassName, string A, string B);

/// <summary>
/// Two runs of the same dataset side by side (two models, or one before and after retraining): per
/// class and method, the difference of the class-level maps; the model metrics, faithfulness means
/// and verdicts of both with their deltas (B − A). Runs with other class lists cannot be compared.
/// </summary>
public sealed record RunComparison(Guid A, Guid B, bool SameDataset, IReadOnlyList<ClassMapDelta> Maps, IReadOnlyList<MetricDelta> Metrics,
    IReadOnlyList<VerdictDelta> Verdicts)
{
    public static async Task<RunComparison> BuildAsync(RunReview a, RunReview b, Func<RunRow, IObjectStore> results, CancellationToken ct)
    {
        if (!a.ClassNames.SequenceEqual(b.ClassNames))
            throw new ArgumentException($"runs {a.Run.Id:D} and {b.Run.Id:D} have other classes ({string.Join(", ", a.ClassNames)} vs {string.Join(", ", b.ClassNames)}): they cannot be compared");
        var maps = new List<ClassMapDelta>();
        var inB = b.ClassViews.ToDictionary(v => (v.Method, v.ClassIndex));
        foreach (var va in a.ClassViews.OrderBy(v => v.Method, StringComparer.Ordinal).ThenBy(v => v.ClassIndex))
        {
            if (!inB.TryGetValue((va.Method, va.ClassIndex), out var vb)) continue;
            MapDifference? difference = null;
            string? problem = null;
            try
            {
                var (ma, mb) = (await ClassMapAsync(results(a.Run), va, ct), await ClassMapAsync(results(b.Run), vb, ct));
                if (ma.Shape.SequenceEqual(mb.Shape)) difference = MapDifference.Of(ma.Data, mb.Data);
                else problem = $"class maps of {string.Join('×', ma.Shape)} and {string.Join('×', mb.Shape)} pixels";
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException) { problem = e.Message; }
            maps.Add(new ClassMapDelta(va.Method, va.ClassIndex, va.ClassName, va.ImageCount, vb.ImageCount, va.RoiRatio, vb.RoiRatio, difference, problem));
        }
        return new RunComparison(a.Run.Id, b.Run.Id, a.Run.DatasetUri == b.Run.DatasetUri, maps, MetricDeltas(a, b).ToList(),
            a.Verdicts.Zip(b.Verdicts).Where(p => p.First.Verdict != p.Second.Verdict)
                .Select(p => new VerdictDelta(p.First.ClassIndex, p.First.ClassName, p.First.Verdict, p.Second.Verdict)).ToList());
    }

    /// <summary>A class view's stored map (.npy beside its picture).</summary>
    public static async Task<NpyArray> ClassMapAsync(IObjectStore store, ClassAggregateRow view, CancellationToken ct) =>
        NpyFile.Read(await store.ReadAsync(ResultKeys.ClassStem(view.RunId, view.Method, view.ClassIndex, view.ClassName) + ".npy", ct));

    private static IEnumerable<MetricDelta> MetricDeltas(RunReview a, RunReview b)
    {
        static MetricDelta Delta(string scope, string metric, int c, string? name, double? x, double? y) =>
            new(scope, metric, c, name, x, y, x is double u && y is double v ? v - u : null);
        if (a.ModelMetrics is not null || b.ModelMetrics is not null)
        {
            var (ha, hb) = (a.ModelMetrics?.Headline().ToDictionary(h => h.Metric, h => h.Value), b.ModelMetrics?.Headline().ToDictionary(h => h.Metric, h => h.Value));
            foreach (var metric in (ha ?? hb)!.Keys)
                yield return Delta("model", metric, -1, null, ha?.GetValueOrDefault(metric), hb?.GetValueOrDefault(metric));
            for (int c = 0; c < a.ClassNames.Length; c++)
            {
                var (ca, cb) = (a.ModelMetrics?.Classes[c], b.ModelMetrics?.Classes[c]);
                yield return Delta("model", "recall", c, a.ClassNames[c], ca?.Recall, cb?.Recall);
                yield return Delta("model", "precision", c, a.ClassNames[c], ca?.Precision, cb?.Precision);
                yield return Delta("model", "f1", c, a.ClassNames[c], ca?.F1, cb?.F1);
            }
        }
        var rb = b.Rankings.SelectMany(r => r.Methods.Select(m => (r.Metric, r.ClassIndex, m.Method, m.Mean))).ToDictionary(x => (x.Metric, x.ClassIndex, x.Method), x => x.Mean);
        foreach (var r in a.Rankings.Where(r => r.ClassIndex == FaithfulnessRanking.AllImages))
            foreach (var m in r.Methods.OrderBy(m => m.Method, StringComparer.Ordinal))
                yield return Delta(m.Method, r.Metric, r.ClassIndex, null, m.Mean, rb.GetValueOrDefault((r.Metric, r.ClassIndex, m.Method)));
    }
}
