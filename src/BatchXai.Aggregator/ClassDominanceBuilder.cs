using System.Text.Json;
using BatchXai.Aggregator.Pass;
using BatchXai.Contracts;
using BatchXai.Core.Aggregation;
using BatchXai.Core.Methods;
using BatchXai.Storage.Csv;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>
/// CLEAR's extra class view: for each class of images (chosen as the class views choose them)
/// and each class d, how much d dominates their CLEAR maps — share of field-of-view pixels and
/// of attentive pixels whose dominant class Ĉ is d, and images d dominates — as class_dominance
/// rows and &lt;run&gt;/dominance.csv. Reads only the stored Ĉ and D maps, so it is idempotent.
/// One accumulator of the aggregation pass (<see cref="RunMapPass"/>); <see cref="BuildAsync"/> runs it alone.
/// </summary>
public sealed class ClassDominanceBuilder(ResultStore results, ClassSelection selection = ClassSelection.Correct, IObjectStoreFactory? stores = null)
{
    public Task BuildAsync(RunRow run, CancellationToken ct) => new RunMapPass(results, selection, stores).RunAsync(run, Start(run), ct);

    public IMapAccumulator Start(RunRow run) => new Accumulator(results, selection.ToString().ToLowerInvariant(), run);

    private sealed class Accumulator(ResultStore results, string selectionName, RunRow run) : MapAccumulator<ImageDominance>
    {
        private readonly string[] _classNames = RunInfo.Of(run).ClassNames;
        private readonly Dictionary<string, DominanceCounter?[]> _perMethod = new(StringComparer.Ordinal);

        public override MapNeeds NeedsFor(string method) => method == ClearMethod.MethodName ? MapNeeds.Map | MapNeeds.DominantClass : MapNeeds.None;

        protected override ImageDominance Measure(StoredImageMap image) => DominanceCounter.Count(image.DominantClass!, image.Map, _classNames.Length);

        protected override void Add(StoredImageMap image, ImageDominance measure)
        {
            if (!_perMethod.TryGetValue(image.Method, out var counters)) _perMethod[image.Method] = counters = new DominanceCounter?[_classNames.Length];
            int c = image.ClassIndex;
            (counters[c] ??= new DominanceCounter(c, _classNames.Length)).Add(measure);
        }

        public override async Task FinishAsync(IObjectStore output, CancellationToken ct)
        {
            var methods = RunInfo.Of(run).Methods.Where(m => m == ClearMethod.MethodName).ToList();
            if (methods.Count == 0) return;
            var csv = new CsvText("method", "class_index", "class_name", "selection", "dominant_class", "dominant_class_name", "image_count",
                "fov_pixel_share", "attentive_pixel_share", "images_dominated");
            foreach (var method in methods)
            {
                var rows = (_perMethod.GetValueOrDefault(method) ?? []).OfType<DominanceCounter>().SelectMany(counter => counter.Build()).Select(d => new ClassDominanceRow
                {
                    ClassIndex = d.ClassIndex,
                    ClassName = _classNames[d.ClassIndex],
                    Selection = selectionName,
                    DominantClass = d.DominantClass,
                    DominantClassName = _classNames[d.DominantClass],
                    ImageCount = d.ImageCount,
                    FovPixelShare = d.FovPixelShare,
                    AttentivePixelShare = d.AttentivePixelShare,
                    ImagesDominated = d.ImagesDominated,
                }).ToList();
                await results.ReplaceClassDominanceAsync(run.Id, method, rows, ct);
                foreach (var r in rows)
                    csv.Row(method, r.ClassIndex, r.ClassName, r.Selection, r.DominantClass, r.DominantClassName, r.ImageCount,
                        r.FovPixelShare, r.AttentivePixelShare, r.ImagesDominated);
            }
            await output.WriteAsync(ResultKeys.DominanceCsv(run.Id), csv.ToUtf8(), ct);
        }
    }
}
