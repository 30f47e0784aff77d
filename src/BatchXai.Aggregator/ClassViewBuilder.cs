using System.Text.Json;
using BatchXai.Aggregator.Pass;
using BatchXai.Contracts;
using BatchXai.Core.Aggregation;
using BatchXai.Core.Maps;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>
/// Builds a run's class-level views for every method from the stored per-image maps: the
/// average of normalised maps per class (signed for signed methods) with its 70% ROI and box, score distributions and
/// ROI-ratio distributions, written as .npy/.png and class_aggregates rows. Reads only what the
/// workers stored, so it is idempotent and can run anywhere. One accumulator of the aggregation
/// pass (<see cref="RunMapPass"/>); <see cref="BuildAsync"/> runs it alone.
/// </summary>
public sealed class ClassViewBuilder(ResultStore results, ClassSelection selection = ClassSelection.Correct, IObjectStoreFactory? stores = null)
{
    public Task BuildAsync(RunRow run, CancellationToken ct) => new RunMapPass(results, selection, stores).RunAsync(run, Start(run), ct);

    public IMapAccumulator Start(RunRow run) => new Accumulator(this, results, run);

    private sealed class Accumulator(ClassViewBuilder builder, ResultStore results, RunRow run) : MapAccumulator<NormalizedMap>
    {
        private readonly string[] _classNames = RunInfo.Of(run).ClassNames;
        private readonly Dictionary<string, ClassLevelAccumulator?[]> _perMethod = new(StringComparer.Ordinal);

        public override MapNeeds NeedsFor(string method) => MapNeeds.Map;

        /// <summary>Normalised at the map's own size: a method's maps all have the input size, so this is the class grid but in a run mixing sizes.</summary>
        protected override NormalizedMap Measure(StoredImageMap image) =>
            ClassLevelAccumulator.Normalize(image.Map, MethodRegistry.IsSigned(image.Method));

        protected override void Add(StoredImageMap image, NormalizedMap measure)
        {
            if (!_perMethod.TryGetValue(image.Method, out var classes)) _perMethod[image.Method] = classes = new ClassLevelAccumulator?[_classNames.Length];
            var map = image.Map;
            var accumulator = classes[image.ClassIndex] ??= new ClassLevelAccumulator(image.ClassIndex, map.Height, map.Width,
                signed: MethodRegistry.IsSigned(image.Method));
            if (map.Height == accumulator.Height && map.Width == accumulator.Width) accumulator.Add(measure, image.Row.RoiRatio);
            else accumulator.Add(map, image.Row.RoiRatio); // resized to the class grid before it is normalised
        }

        public override async Task FinishAsync(IObjectStore output, CancellationToken ct)
        {
            foreach (var method in RunInfo.Of(run).Methods)
            {
                var aggregateRows = new List<ClassAggregateRow>();
                var accumulators = _perMethod.GetValueOrDefault(method) ?? [];
                for (int c = 0; c < accumulators.Length; c++)
                {
                    if (accumulators[c] is not { } accumulator) continue;
                    var view = accumulator.Build();
                    var stem = ResultKeys.ClassStem(run.Id, method, c, _classNames[c]);
                    await output.WriteAsync(stem + ".npy", NpyBytes(view.AverageMap), ct);
                    await output.WriteAsync(stem + ".png", PngEncoder.Encode(ClassMapPicture.Render(view)), ct);
                    aggregateRows.Add(builder.ToRow(view, _classNames[c], output.UriOf(stem + ".npy"), output.UriOf(stem + ".png")));
                }
                await results.ReplaceClassAggregatesAsync(run.Id, method, aggregateRows, ct);
            }
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
