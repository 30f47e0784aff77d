using System.Diagnostics;
using System.Diagnostics.Metrics;
using BatchXai.Core.Telemetry;

namespace BatchXai.Worker;

/// <summary>
/// What a worker counts per batch (exported as batchxai_worker_*), every instrument labelled with
/// the execution provider the worker runs on (<see cref="UseProvider"/>).
/// </summary>
public static class WorkerMetrics
{
    public static readonly Counter<long> ImagesExplained =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.worker.images.explained", "{image}", "Images explained (every requested method ran and was stored)");

    public static readonly Counter<long> ImagesFailed =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.worker.images.failed", "{image}", "Images failed for what they are (unreadable, undecodable, ...)");

    public static readonly Counter<long> Maps =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.worker.maps", "{map}", "Explanation maps written, by method");

    public static readonly Histogram<double> BatchDuration =
        PipelineMeter.Meter.CreateHistogram<double>("batchxai.worker.batch.duration", "s", "Time to explain and store one batch");

    public static readonly Counter<long> BatchesFaulted =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.worker.batches.faulted", "{batch}", "Batch deliveries that threw (retried or redelivered when transient)");

    public static readonly Counter<long> BatchesSkipped =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.worker.batches.skipped", "{batch}", "Batch deliveries acknowledged without work: their run was no longer running (a late copy)");

    /// <summary>Per stage: read and decode per image; model, methods (per method), writes and database per batch.</summary>
    public static readonly Histogram<double> StageDuration =
        PipelineMeter.Meter.CreateHistogram<double>("batchxai.worker.stage.duration", "s", "Time in one stage of a batch: read, decode (per image), model, methods, writes, database (per batch)");

    /// <summary>Image failures by the stage that failed them, and batch deliveries that threw (stage "batch").</summary>
    public static readonly Counter<long> StageFailures =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.worker.stage.failures", "{failure}", "Failures by stage: an image's read/decode/preprocess failure, or a batch delivery that threw (batch)");

    /// <summary>The stages <see cref="Stage"/> times, as their label values.</summary>
    public static class Stages
    {
        public const string Read = "read", Decode = "decode", Model = "model", Methods = "methods", Writes = "writes", Database = "database";
    }

    private static KeyValuePair<string, object?> _provider = new("provider", "unknown");

    /// <summary>The execution provider this process's worker runs on (cpu, cuda), put on every worker instrument.</summary>
    public static void UseProvider(string provider) => _provider = new("provider", provider);

    public static KeyValuePair<string, object?> Provider => _provider;

    /// <summary>
    /// Times a stage until disposed: one observation of <see cref="StageDuration"/> and, when
    /// tracing listens, a span of that name under the batch's span.
    /// </summary>
    public static StageTimer Stage(string stage, string? method = null) => new(stage, method);

    public static void Failed(string stage) => StageFailures.Add(1, new KeyValuePair<string, object?>("stage", stage), _provider);

    public readonly struct StageTimer : IDisposable
    {
        private readonly long _started;
        private readonly string _stage;
        private readonly string? _method;
        private readonly Activity? _span;

        internal StageTimer(string stage, string? method)
        {
            _started = Stopwatch.GetTimestamp();
            _stage = stage;
            _method = method;
            _span = PipelineActivity.Source.StartActivity(method is null ? stage : $"{stage} {method}");
        }

        public void Dispose()
        {
            var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
            if (_method is null) StageDuration.Record(elapsed, new KeyValuePair<string, object?>("stage", _stage), _provider);
            else StageDuration.Record(elapsed, new KeyValuePair<string, object?>("stage", _stage), new KeyValuePair<string, object?>("method", _method), _provider);
            _span?.Dispose();
        }
    }
}
