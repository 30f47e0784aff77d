using System.Diagnostics.Metrics;

namespace BatchXai.Core.Telemetry;

/// <summary>
/// The one meter every BatchXai component records its instruments on; the distributed services
/// export it at <c>/metrics</c> (Prometheus text format). Instruments live beside the code that
/// records them (WorkerMetrics, OrtMetrics, BusMetrics, CoordinatorMetrics).
/// </summary>
public static class PipelineMeter
{
    public const string Name = "BatchXai";

    public static readonly Meter Meter = new(Name);
}
