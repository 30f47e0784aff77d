using System.Text.Json;
using BatchXai.Aggregator.Pass;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Core.Maps;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator.Audit;

/// <summary>
/// The Clever Hans audit of a completed run: for every method and class, measures where the
/// stored input-size maps put their weight relative to each image's field of view (the one the
/// worker detected, see <see cref="StoredFieldsOfView"/>) and the corners, and stores the findings
/// (audit_findings rows and &lt;run&gt;/audit.csv). The class-level ROI box is checked against every
/// image of the class and the shares averaged. Reads only stored maps and rows, so running it twice
/// gives the same output. Classes use the same image selection as the class views. One accumulator
/// of the aggregation pass (<see cref="RunMapPass"/>), finishing after the class views, whose ROI
/// boxes it reads, and after SpRAy's <see cref="SprayCollector"/>, whose findings it stores with its own;
/// <see cref="AuditAsync"/> runs the two alone. With a model at hand (<paramref name="probes"/>), the
/// causal check (<see cref="CausalAudit"/>) then masks the regions they point at and adds its findings.
/// </summary>
public sealed class ArtefactAuditor(ResultStore results, AuditThresholds? thresholds = null, ClassSelection selection = ClassSelection.Correct, IObjectStoreFactory? stores = null,
    IModelProbeSource? probes = null)
{
    private readonly ResultStore _results = results;
    private readonly CausalAudit? _causal = probes is null ? null : new CausalAudit(results, probes);
    private readonly ClassAuditor _auditor = new(thresholds ?? new AuditThresholds());

    public async Task<IReadOnlyList<AuditFinding>> AuditAsync(RunRow run, CancellationToken ct)
    {
        var spray = new SprayCollector(_results, run);
        var audit = await StartAsync(run, spray, ct);
        await new RunMapPass(_results, selection, stores).RunAsync(run, [spray, audit], ct);
        return audit.Findings;
    }

    /// <param name="spray">SpRAy's collector in the same pass, which must finish before the audit: its findings join the audit's.</param>
    public async Task<Accumulator> StartAsync(RunRow run, SprayCollector? spray, CancellationToken ct) =>
        new(this, run, await StoredFieldsOfView.LoadAsync(_results, run.Id, ct), spray);

    /// <summary>The audit's share of the pass; <see cref="Findings"/> is filled when it has finished.</summary>
    public sealed class Accumulator : MapAccumulator<(ImageAttribution Image, FieldOfView Fov)>
    {
        private readonly ArtefactAuditor _owner;
        private readonly RunRow _run;
        private readonly StoredFieldsOfView _fieldsOfView;
        private readonly SprayCollector? _spray;
        private readonly string[] _classNames;
        private readonly Dictionary<string, List<(ImageAttribution Image, FieldOfView Fov)>?[]> _perMethod = new(StringComparer.Ordinal);

        internal Accumulator(ArtefactAuditor owner, RunRow run, StoredFieldsOfView fieldsOfView, SprayCollector? spray)
        {
            _spray = spray;
            _owner = owner;
            _run = run;
            _fieldsOfView = fieldsOfView;
            _classNames = RunInfo.Of(run).ClassNames;
        }

        public IReadOnlyList<AuditFinding> Findings { get; private set; } = [];

        public override MapNeeds NeedsFor(string method) => MapNeeds.Map;

        protected override (ImageAttribution Image, FieldOfView Fov) Measure(StoredImageMap image)
        {
            var map = image.Map;
            var fov = _fieldsOfView.For(image.Row.ImageKey, map.Height, map.Width);
            var measured = MapAttribution.Measure(map, fov, new FrameRegions(map.Height, map.Width));
            return (new ImageAttribution(image.Row.ImageKey, measured, fov.Kind), fov);
        }

        protected override void Add(StoredImageMap image, (ImageAttribution Image, FieldOfView Fov) measure)
        {
            if (!_perMethod.TryGetValue(image.Method, out var perClass))
                _perMethod[image.Method] = perClass = new List<(ImageAttribution, FieldOfView)>?[_classNames.Length];
            (perClass[image.ClassIndex] ??= []).Add(measure);
        }

        public override async Task FinishAsync(IObjectStore output, CancellationToken ct)
        {
            var aggregates = await _owner._results.ClassAggregatesAsync(_run.Id, ct);
            var findings = new List<AuditFinding>();
            foreach (var method in RunInfo.Of(_run).Methods)
            {
                if (!_perMethod.TryGetValue(method, out var perClass)) continue;
                for (int c = 0; c < _classNames.Length; c++)
                {
                    if (perClass[c] is not { } images) continue;
                    var aggregate = aggregates.FirstOrDefault(a => a.Method == method && a.ClassIndex == c);
                    double? roiOutside = aggregate is null ? null
                        : images.Average(i => i.Fov.ShareOutside(new BoundingBox(aggregate.RoiX0, aggregate.RoiY0, aggregate.RoiX1, aggregate.RoiY1)));
                    findings.AddRange(_owner._auditor.Audit(method, c, _classNames[c], images.Select(i => i.Image).ToList(), roiOutside));
                }
            }
            var geometric = findings.ToList();
            if (_spray is not null) findings.AddRange(_spray.Findings);
            if (_owner._causal is not null)
                findings.AddRange(await _owner._causal.RunAsync(_run, ClassImages(), _spray?.Clusters ?? [], geometric, _fieldsOfView, ct));

            await _owner._results.ReplaceAuditFindingsAsync(_run.Id, findings.Select(ToRow).ToList(), ct);
            await output.WriteAsync(ResultKeys.AuditCsv(_run.Id), AuditCsv.Write(findings, _classNames), ct);
            Findings = findings;
        }

        /// <summary>Each class's images (under the run's selection, any method), keys ascending.</summary>
        private Dictionary<int, IReadOnlyList<string>> ClassImages()
        {
            var perClass = new Dictionary<int, IReadOnlyList<string>>();
            for (int c = 0; c < _classNames.Length; c++)
            {
                var keys = _perMethod.Values.Where(m => m[c] is not null).SelectMany(m => m[c]!).Select(i => i.Image.ImageKey)
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (keys.Count > 0) perClass[c] = keys;
            }
            return perClass;
        }
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
