using System.Text.Json;
using BatchXai.Aggregator;
using BatchXai.Aggregator.Audit;
using BatchXai.Aggregator.Pass;
using BatchXai.Contracts;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Tests.Audit;

/// <summary>
/// The aggregation pass (issue 17): one pass with many reads in flight gives exactly the rows and
/// files that one read at a time gives (accumulators see maps in result order either way), SpRAy's
/// clusters land in spray_clusters with a flagged candidate and its finding, and a missing map
/// fails the pass naming the object.
/// </summary>
public sealed class RunMapPassTests : IAsyncLifetime
{
    private static readonly string[] ClassNames = ["none", "mild", "moderate", "severe", "proliferative"];
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-pass-").FullName;
    private ResultStore _store = null!;
    private RunRow _run = null!;

    public async Task InitializeAsync()
    {
        _store = new ResultStore(await SqliteDatabase.OpenAsync(Path.Combine(_root, "batchxai.db")));
        var results = Path.Combine(_root, "results");
        _run = new RunRow
        {
            Id = Guid.NewGuid(), Status = RunStatus.Aggregating, Methods = $"crm,{ClearMethod.MethodName}", ResultsUri = results,
            ClassNamesJson = JsonSerializer.Serialize(ClassNames), Expected = 60,
        };
        await _store.CreateRunAsync(_run);
        using var store = ObjectStoreFactory.FromEnvironment.Open(results);
        var rng = new Random(3);
        var rows = new List<ImageResultRow>();
        for (int i = 0; i < 60; i++)
        {
            // Grade 2 (images 0..39): 10 of them attend to the fixed spot; 20 images of grade 4, one misclassified.
            int label = i < 40 ? 2 : 4, predicted = i == 59 ? 3 : label;
            bool shortcut = i < 40 && i % 4 == 0;
            string key = $"train_images/{(shortcut ? "ring" : "img")}{i:D3}.png";
            foreach (var method in new[] { "crm", ClearMethod.MethodName })
            {
                var map = ConstructedMaps.Map(rng, shortcut);
                await store.WriteAsync(ResultKeys.ImageMap(_run.Id, method, key), NpyFile.ToBytes(map.Values, [map.Height, map.Width]));
                if (method == ClearMethod.MethodName)
                    await store.WriteAsync(ResultKeys.ImageDominantClass(_run.Id, method, key),
                        NpyFile.ToBytes(map.Values.Select(v => v > 0.5f ? (float)label : rng.Next(5)).ToArray(), [map.Height, map.Width]));
                rows.Add(new ImageResultRow { ImageKey = key, Method = method, Label = label, Predicted = predicted, TargetClass = predicted, RoiRatio = 0.05 + i / 1000.0 });
            }
        }
        await _store.SaveBatchAsync(_run.Id, rows.Select(r => r.ImageKey).Distinct().ToList(), rows, []);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private async Task<IReadOnlyList<global::BatchXai.Core.Audit.AuditFinding>> AggregateAsync(int concurrentReads)
    {
        var spray = new SprayCollector(_store, _run);
        var audit = await new ArtefactAuditor(_store).StartAsync(_run, spray, CancellationToken.None);
        await new RunMapPass(_store, ClassSelection.Correct, concurrentReads: concurrentReads).RunAsync(_run,
            [new ClassViewBuilder(_store).Start(_run), new ClassDominanceBuilder(_store).Start(_run), spray, audit], CancellationToken.None);
        return audit.Findings;
    }

    private async Task<string> StoredOutputAsync()
    {
        var files = Directory.EnumerateFiles(Path.Combine(_root, "results", _run.Id.ToString("D")), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/crm/") && !f.Contains($"/{ClearMethod.MethodName}/"))
            .Order(StringComparer.Ordinal).Select(f => f + ":" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
        return JsonSerializer.Serialize(new
        {
            aggregates = (await _store.ClassAggregatesAsync(_run.Id)).Select(a => new { a.Method, a.ClassIndex, a.ImageCount, a.RoiX0, a.RoiY1, a.ScoreMean, a.ScoreHistogramJson, a.ImageRoiRatioMean }),
            dominance = (await _store.ClassDominanceAsync(_run.Id)).Select(d => new { d.Method, d.ClassIndex, d.DominantClass, d.FovPixelShare, d.ImagesDominated }),
            findings = (await _store.AuditFindingsAsync(_run.Id)).Select(f => new { f.Method, f.ClassIndex, f.Kind, f.Severity, f.EvidenceJson }),
            spray = (await _store.SprayClustersAsync(_run.Id)).Select(s => new { s.Method, s.ClassIndex, s.ClusterIndex, s.Size, s.Eigengap, s.Spread, s.MembersJson, s.MeanMap }),
            files,
        });
    }

    [Fact]
    public async Task Many_reads_in_flight_give_the_rows_and_files_of_one_read_at_a_time()
    {
        await AggregateAsync(concurrentReads: 1);
        var one = await StoredOutputAsync();
        await AggregateAsync(concurrentReads: 16);
        Assert.Equal(one, await StoredOutputAsync());
        Assert.Contains("spray_clusters", one);
        // Grade 4's 19 correctly classified images are in its views; the misclassified one is in none.
        var aggregates = await _store.ClassAggregatesAsync(_run.Id);
        Assert.Equal([40, 19, 40, 19], aggregates.Select(a => a.ImageCount));
    }

    [Fact]
    public async Task Spray_clusters_are_stored_and_the_spot_subset_is_a_candidate_with_a_warning()
    {
        var findings = await AggregateAsync(concurrentReads: 8);

        var clusters = await _store.SprayClustersAsync(_run.Id);
        foreach (var method in new[] { "crm", ClearMethod.MethodName })
        {
            var classClusters = clusters.Where(c => c.Method == method && c.ClassIndex == 2).ToList();
            Assert.True(classClusters.Count(c => c.Candidate) == 1, string.Join("; ", classClusters.Select(c =>
                $"size {c.Size} spread {c.Spread:F2} distance {c.DistanceToMain:F2} eigengap {c.Eigengap:F3} rings {JsonSerializer.Deserialize<string[]>(c.MembersJson)!.Count(m => m.Contains("/ring"))}")));
            var candidate = classClusters.Single(c => c.Candidate);
            Assert.Equal(2, candidate.ClassIndex);
            var members = JsonSerializer.Deserialize<string[]>(candidate.MembersJson)!;
            Assert.Equal(10, members.Count(m => m.Contains("/ring")));
            Assert.True(members.Length <= 15, $"{members.Length} members");
            Assert.Equal(candidate.GridSide * candidate.GridSide * sizeof(float), candidate.MeanMap.Length);
            Assert.True(File.Exists(new Uri(candidate.PngUri).LocalPath), candidate.PngUri);
            var warning = Assert.Single(findings, f => f.Method == method && f.Severity == global::BatchXai.Core.Audit.AuditSeverity.Warning);
            Assert.Equal($"spray_cluster_{candidate.ClusterIndex}", warning.Kind);
        }
        // The findings row table holds the SpRAy findings beside the geometric ones.
        Assert.Contains(await _store.AuditFindingsAsync(_run.Id), f => f.Kind.StartsWith("spray_cluster_") && f.Severity == "warning");
    }

    [Fact]
    public async Task A_missing_map_fails_the_pass_naming_the_object()
    {
        var key = ResultKeys.ImageMap(_run.Id, "crm", "train_images/img013.png");
        File.Delete(Path.Combine(_root, "results", key));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => AggregateAsync(concurrentReads: 16));
        Assert.Contains("img013", e.Message);
    }
}
