using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Core.Aggregation;
using BatchXai.Core.Maps;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>
/// Builds a run's class-level views for every method from the stored per-image maps: the
/// average of max-normalised maps per class with its 70% ROI and box, score distributions and
/// ROI-ratio distributions, written as .npy/.png and class_aggregates rows. Reads only what the
/// workers stored, so it is idempotent and can run anywhere.
/// </summary>
public sealed class ClassViewBuilder(ResultStore results, ClassSelection selection = ClassSelection.Correct, IObjectStoreFactory? stores = null)
{
    public async Task BuildAsync(RunRow run, CancellationToken ct)
    {
        using var output = (stores ?? ObjectStoreFactory.FromEnvironment).Open(run.ResultsUri);
        var info = RunInfo.Of(run);
        var classNames = info.ClassNames;
        foreach (var method in info.Methods)
        {
            var rows = await results.ResultsAsync(run.Id, method, ct);
            var accumulators = new ClassLevelAccumulator?[classNames.Length];
            foreach (var row in rows)
            {
                if (ClassSelections.ClassOf(selection, row.Label, row.Predicted) is not int c || c < 0 || c >= classNames.Length) continue;
                var map = await StoredMaps.ReadAsync(output, ResultKeys.ImageMap(run.Id, method, row.ImageKey), ct);
                (accumulators[c] ??= new ClassLevelAccumulator(c, map.Height, map.Width)).Add(map, row.RoiRatio);
            }

            var aggregateRows = new List<ClassAggregateRow>();
            for (int c = 0; c < classNames.Length; c++)
            {
                if (accumulators[c] is not { } accumulator) continue;
                var view = accumulator.Build();
                var stem = ResultKeys.ClassStem(run.Id, method, c, classNames[c]);
                await output.WriteAsync(stem + ".npy", NpyBytes(view.AverageMap), ct);
                await output.WriteAsync(stem + ".png", PngEncoder.Encode(ClassMapPicture.Render(view)), ct);
                aggregateRows.Add(ToRow(view, classNames[c], output.UriOf(stem + ".npy"), output.UriOf(stem + ".png")));
            }
            await results.ReplaceClassAggregatesAsync(run.Id, method, aggregateRows, ct);
        }
    }

    private static byte[] NpyBytes(ExplanationMap map) => NpyFile.ToBytes(map.Values, [map.Height, map.Width]);

    private ClassAggregateRow ToRow(ClassLevelView view, string className, string npyUri, string pngUri) => new()
    {
        ClassIndex = view.ClassIndex,
        ClassName = className,
        Selection = selection.ToString().ToLowerInvariant(),
        ImageCount = view.ImageCount,
        RoiThreshold = view.RoiThreshold,
        RoiPixels = view.RoiPixels,
        RoiRatio = view.RoiRatio,
        RoiX0 = view.RoiBox.X0, RoiY0 = view.RoiBox.Y0, RoiX1 = view.RoiBox.X1, RoiY1 = view.RoiBox.Y1,
        ScoreMean = view.Scores.Mean,
        ScoreStd = view.Scores.StdDev,
        ScoreHistogramJson = JsonSerializer.Serialize(view.Scores.Counts),
        ImageRoiRatioMean = view.ImageRoiRatios.Mean,
        ImageRoiRatioStd = view.ImageRoiRatios.StdDev,
        ImageRoiRatioHistogramJson = JsonSerializer.Serialize(view.ImageRoiRatios.Counts),
        NpyUri = npyUri,
        PngUri = pngUri,
    };
}
