using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Core.Aggregation;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Storage.Csv;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>
/// CLEAR's extra class view: for each class of images (chosen as the class views choose them)
/// and each class d, how much d dominates their CLEAR maps — share of field-of-view pixels and
/// of attentive pixels whose dominant class Ĉ is d, and images d dominates — as class_dominance
/// rows and &lt;run&gt;/dominance.csv. Reads only the stored Ĉ and D maps, so it is idempotent.
/// </summary>
public sealed class ClassDominanceBuilder(ResultStore results, ClassSelection selection = ClassSelection.Correct, IObjectStoreFactory? stores = null)
{
    public async Task BuildAsync(RunRow run, CancellationToken ct)
    {
        var methods = RunInfo.Of(run).Methods.Where(m => m == ClearMethod.MethodName).ToList();
        if (methods.Count == 0) return;
        using var output = (stores ?? ObjectStoreFactory.FromEnvironment).Open(run.ResultsUri);
        var classNames = RunInfo.Of(run).ClassNames;
        var csv = new CsvText("method", "class_index", "class_name", "selection", "dominant_class", "dominant_class_name", "image_count",
            "fov_pixel_share", "attentive_pixel_share", "images_dominated");
        foreach (var method in methods)
        {
            var counters = new DominanceCounter?[classNames.Length];
            foreach (var row in await results.ResultsAsync(run.Id, method, ct))
            {
                if (ClassSelections.ClassOf(selection, row.Label, row.Predicted) is not int c || c < 0 || c >= classNames.Length) continue;
                var response = await StoredMaps.ReadAsync(output, ResultKeys.ImageMap(run.Id, method, row.ImageKey), ct);
                var dominant = NpyFile.Read(await output.ReadAsync(ResultKeys.ImageDominantClass(run.Id, method, row.ImageKey), ct));
                (counters[c] ??= new DominanceCounter(c, classNames.Length)).Add(dominant.Data.Select(v => (int)v).ToArray(), response);
            }

            var rows = counters.OfType<DominanceCounter>().SelectMany(counter => counter.Build()).Select(d => new ClassDominanceRow
            {
                ClassIndex = d.ClassIndex,
                ClassName = classNames[d.ClassIndex],
                Selection = selection.ToString().ToLowerInvariant(),
                DominantClass = d.DominantClass,
                DominantClassName = classNames[d.DominantClass],
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
