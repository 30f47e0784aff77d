using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Core.Maps;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator.Audit;

/// <summary>
/// The Clever Hans audit of a completed run: for every method and class, measures where the
/// stored input-size maps put their weight relative to each image's field of view (the one the
/// worker detected, see <see cref="StoredFieldsOfView"/>) and the corners, and stores the findings
/// (audit_findings rows and &lt;run&gt;/audit.csv). The class-level ROI box is checked against every
/// image of the class and the shares averaged. Reads only stored maps and rows, so running it twice
/// gives the same output. Classes use the same image selection as the class views.
/// </summary>
public sealed class ArtefactAuditor(ResultStore results, AuditThresholds? thresholds = null, ClassSelection selection = ClassSelection.Correct, IObjectStoreFactory? stores = null)
{
    private readonly ClassAuditor _auditor = new(thresholds ?? new AuditThresholds());

    public async Task<IReadOnlyList<AuditFinding>> AuditAsync(RunRow run, CancellationToken ct)
    {
        using var output = (stores ?? ObjectStoreFactory.FromEnvironment).Open(run.ResultsUri);
        var info = RunInfo.Of(run);
        var classNames = info.ClassNames;
        var aggregates = await results.ClassAggregatesAsync(run.Id, ct);
        var fieldsOfView = await StoredFieldsOfView.LoadAsync(results, run.Id, ct);
        var findings = new List<AuditFinding>();
        foreach (var method in info.Methods)
        {
            var perClass = new List<(ImageAttribution Image, FieldOfView Fov)>?[classNames.Length];
            foreach (var row in await results.ResultsAsync(run.Id, method, ct))
            {
                if (ClassSelections.ClassOf(selection, row.Label, row.Predicted) is not int c || c < 0 || c >= classNames.Length) continue;
                var map = await StoredMaps.ReadAsync(output, ResultKeys.ImageMap(run.Id, method, row.ImageKey), ct);
                var fov = fieldsOfView.For(row.ImageKey, map.Height, map.Width);
                var measured = MapAttribution.Measure(map, fov, new FrameRegions(map.Height, map.Width));
                (perClass[c] ??= []).Add((new ImageAttribution(row.ImageKey, measured, fov.Kind), fov));
            }
            for (int c = 0; c < classNames.Length; c++)
            {
                if (perClass[c] is not { } images) continue;
                var aggregate = aggregates.FirstOrDefault(a => a.Method == method && a.ClassIndex == c);
                double? roiOutside = aggregate is null ? null
                    : images.Average(i => i.Fov.ShareOutside(new BoundingBox(aggregate.RoiX0, aggregate.RoiY0, aggregate.RoiX1, aggregate.RoiY1)));
                findings.AddRange(_auditor.Audit(method, c, classNames[c], images.Select(i => i.Image).ToList(), roiOutside));
            }
        }

        await results.ReplaceAuditFindingsAsync(run.Id, findings.Select(ToRow).ToList(), ct);
        await output.WriteAsync(ResultKeys.AuditCsv(run.Id), AuditCsv.Write(findings, classNames), ct);
        return findings;
    }

    private static AuditFindingRow ToRow(AuditFinding f) => new()
    {
        Method = f.Method,
        ClassIndex = f.ClassIndex,
        Kind = f.Kind,
        Severity = AuditCsv.SeverityName(f.Severity),
        Message = f.Message,
        EvidenceJson = JsonSerializer.Serialize(f.Evidence),
    };
}
