using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Core.Telemetry;
using BatchXai.Synthetic;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;
using BatchXai.Worker;

namespace BatchXai.Tests.Pipeline;

/// <summary>
/// What a tracer and a metrics reader see of an embedded run (the same consumers and bus
/// middleware as the distributed services): one trace per batch, from the coordinator's publish
/// through the worker's consume and its stage spans to the coordinator's progress consumer; and
/// the worker's per-stage durations and failures by stage, labelled with its execution provider.
/// </summary>
public sealed class BatchTracingTests : IDisposable
{
    private const int Images = 12, BatchSize = 4;
    private readonly string _root = Directory.CreateTempSubdirectory("batchxai-trace-").FullName;
    private readonly FixtureModel _model = new(GraphFixtures.GapLinear, fundusCrop: true);

    public void Dispose()
    {
        _model.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Each_batch_is_one_trace_from_publish_through_the_worker_stages_and_stages_are_timed()
    {
        var data = Path.Combine(_root, "data");
        SampleDatasetWriter.Write(data, Images, seed: 13, new SampleDataOptions { Size = 96 });
        // One image that does not decode: a failure at the decode stage.
        string first = File.ReadAllLines(Path.Combine(data, "train.csv"))[1].Split(',')[0];
        File.WriteAllBytes(Path.Combine(data, SampleDatasetWriter.ImagesFolder, first + ".png"), "GIF89a\x01\x00\x01\x00"u8.ToArray());

        var spans = new ConcurrentBag<Activity>();
        using var tracer = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MassTransit" or PipelineActivity.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(tracer);
        var stages = new ConcurrentBag<(string Instrument, string? Stage, string? Provider)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PipelineMeter.Name && instrument.Name.StartsWith("batchxai.worker.stage.", StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> all, string name) { foreach (var t in all) if (t.Key == name) return t.Value?.ToString(); return null; }
            stages.Add((instrument.Name, Tag(tags, "stage"), Tag(tags, "provider")));
        }
        meters.SetMeasurementEventCallback<double>((i, _, tags, _) => Record(i, tags));
        meters.SetMeasurementEventCallback<long>((i, _, tags, _) => Record(i, tags));
        meters.Start();

        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, _model.ManifestPath, "crm", Path.Combine(_root, "out"), BatchSize: BatchSize),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, outcome.Run?.Status);
        Assert.Equal((Images, Images - 1, 1), (outcome.Run!.Expected, outcome.Run.Explained, outcome.Run.Failed));

        // The worker's consume spans of this run, one per batch, each in a trace of its own.
        string run = outcome.Run.Id.ToString("D");
        var consumes = spans.Where(s => s.GetTagItem("batchxai.run") as string == run).ToList();
        int batches = Images / BatchSize;
        Assert.Equal(batches, consumes.Count);
        Assert.Equal(batches, consumes.Select(c => c.TraceId).Distinct().Count());
        foreach (var consume in consumes)
        {
            var trace = spans.Where(s => s.TraceId == consume.TraceId).ToList();
            var byId = trace.ToDictionary(s => s.SpanId);
            IEnumerable<Activity> Ancestors(Activity span)
            {
                for (var at = span; byId.TryGetValue(at.ParentSpanId, out var parent); at = parent) yield return parent;
            }
            // The coordinator's publish of the batch is an ancestor of the consume span (through MassTransit's receive span)...
            Assert.Contains(Ancestors(consume), s => s.Kind == ActivityKind.Producer);
            // ...the stages ran under the consume span...
            var children = trace.Where(s => s.ParentSpanId == consume.SpanId && s.Source.Name == PipelineActivity.Name).Select(s => s.OperationName).ToHashSet();
            foreach (var stage in new[] { "model", "methods crm", "writes crm", "database", "read", "decode" })
                Assert.True(children.Contains(stage), $"batch trace {consume.TraceId}: no '{stage}' span under the consume span; has {string.Join(", ", children)}");
            // ...and the worker's BatchExplained went on in the same trace to the coordinator's progress consumer.
            Assert.Contains(trace, s => s.Kind == ActivityKind.Consumer && Ancestors(s).Any(a => a.SpanId == consume.SpanId));
        }

        var timed = stages.Where(s => s.Instrument == "batchxai.worker.stage.duration").ToList();
        foreach (var stage in new[] { "read", "decode", "model", "methods", "writes", "database" })
            Assert.Contains(timed, s => s.Stage == stage && s.Provider == "cpu");
        Assert.Contains(stages, s => s.Instrument == "batchxai.worker.stage.failures" && s.Stage == FailureStage.Decode && s.Provider == "cpu");
    }
}
