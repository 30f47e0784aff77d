using System.Diagnostics.Metrics;
using BatchXai.Core.Telemetry;

namespace BatchXai.Coordinator;

/// <summary>What the coordinator counts (exported as batchxai_coordinator_*).</summary>
public static class CoordinatorMetrics
{
    public static readonly Counter<long> RunsStarted =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.coordinator.runs.started", "{run}", "Runs recorded and queued");

    public static readonly Counter<long> RunsExplained =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.coordinator.runs.explained", "{run}", "Runs whose every image is accounted for (moved to aggregating)");

    public static readonly Counter<long> SweptRuns =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.coordinator.swept.runs", "{run}", "Stalled runs the sweep helped on, by what it did");

    public static readonly Counter<long> RepublishedImages =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.coordinator.republished.images", "{image}", "Images of stalled runs the sweep published again");
}
