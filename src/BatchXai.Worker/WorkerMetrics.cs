using System.Diagnostics.Metrics;
using BatchXai.Core.Telemetry;

namespace BatchXai.Worker;

/// <summary>What a worker counts per batch (exported as batchxai_worker_*).</summary>
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
}
