using System.Diagnostics.Metrics;
using BatchXai.Core.Telemetry;

namespace BatchXai.Distributed.Bus;

/// <summary>What the bus side counts (exported as batchxai_bus_*).</summary>
public static class BusMetrics
{
    public static readonly Counter<long> DelayedRedeliveries =
        PipelineMeter.Meter.CreateCounter<long>("batchxai.bus.delayed.redeliveries", "{message}", "Messages put back for a delayed redelivery after a transient fault, by queue");
}
