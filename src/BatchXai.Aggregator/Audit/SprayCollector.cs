using System.Runtime.InteropServices;
using System.Text.Json;
using BatchXai.Aggregator.Pass;
using BatchXai.Core.Audit;
using BatchXai.Core.Audit.Spray;
using BatchXai.Core.Maps;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator.Audit;

/// <summary>
/// SpRAy in the aggregation pass (issue 13): keeps every selected image's map as a small grid
/// (<see cref="MapGrid"/>, 32×32 by default: 8 KB an image), and when the pass is over clusters each
/// method's classes spectrally (<see cref="SprayAnalysis"/>), stores the clusters (spray_clusters
/// rows; each mean map as .npy/.png beside the class views) and keeps their findings for the audit
/// (<see cref="Findings"/>), which finishes after it.
/// </summary>
public sealed class SprayCollector(ResultStore results, RunRow run, SprayThresholds? thresholds = null) : MapAccumulator<double[]>
{
    private readonly SprayThresholds _thresholds = thresholds ?? new SprayThresholds();
    private readonly string[] _classNames = RunInfo.Of(run).ClassNames;
    private readonly Dictionary<(string Method, int Class), (List<string> Keys, List<double[]> Grids)> _perClass = [];

    public IReadOnlyList<AuditFinding> Findings { get; private set; } = [];

    /// <summary>The clusters found, per method and class, once the pass has finished.</summary>
    public IReadOnlyList<ClassSpray> Clusters { get; private set; } = [];

    public override MapNeeds NeedsFor(string method) => MapNeeds.Map;

    protected override double[] Measure(StoredImageMap image) => MapGrid.Of(image.Map, _thresholds.GridSide);

    protected override void Add(StoredImageMap image, double[] grid)
    {
        if (!_perClass.TryGetValue((image.Method, image.ClassIndex), out var images))
            _perClass[(image.Method, image.ClassIndex)] = images = ([], []);
        images.Keys.Add(image.Row.ImageKey);
        images.Grids.Add(grid);
    }

    public override async Task FinishAsync(IObjectStore output, CancellationToken ct)
    {
        var findings = new List<AuditFinding>();
        var clusters = new List<ClassSpray>();
        var rows = new List<SprayClusterRow>();
        foreach (var ((method, c), images) in _perClass.OrderBy(p => p.Key.Method, StringComparer.Ordinal).ThenBy(p => p.Key.Class))
        {
            if (SprayAnalysis.Analyse(method, c, images.Keys, images.Grids, _thresholds) is not { } spray) continue;
            clusters.Add(spray);
            findings.AddRange(SprayFindings.Of(spray, _classNames[c], _thresholds.ExampleImages));
            foreach (var cluster in spray.Clusters)
            {
                var mean = new ExplanationMap(spray.GridSide, spray.GridSide, cluster.MeanMap.Select(v => (float)v).ToArray());
                var stem = ResultKeys.SprayClusterStem(run.Id, method, c, _classNames[c], cluster.Index);
                await output.WriteAsync(stem + ".npy", NpyFile.ToBytes(mean.Values, [mean.Height, mean.Width]), ct);
                await output.WriteAsync(stem + ".png", PngEncoder.Encode(ClassMapPicture.Render(mean)), ct);
                rows.Add(new SprayClusterRow
                {
                    Method = method, ClassIndex = c, ClassName = _classNames[c], ClusterIndex = cluster.Index, ClusterCount = spray.K,
                    ClassImageCount = spray.Images, Size = cluster.Size, Eigengap = spray.Eigengap, Spread = cluster.Spread,
                    DistanceToMain = cluster.DistanceToMain, Candidate = cluster.Candidate, MembersJson = JsonSerializer.Serialize(cluster.Members),
                    GridSide = spray.GridSide, MeanMap = MemoryMarshal.AsBytes(mean.Values.AsSpan()).ToArray(),
                    NpyUri = output.UriOf(stem + ".npy"), PngUri = output.UriOf(stem + ".png"),
                });
            }
        }
        await results.ReplaceSprayClustersAsync(run.Id, rows, ct);
        Findings = findings;
        Clusters = clusters;
    }
}
