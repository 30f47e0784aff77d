using System.Diagnostics;
using System.Diagnostics.Metrics;
using BatchXai.Core.Telemetry;

namespace BatchXai.Onnx.Runtime;

/// <summary>Time spent inside ONNX Runtime per session run, labelled with the execution provider (exported as batchxai_onnx_run_duration_seconds).</summary>
internal static class OrtMetrics
{
    private static readonly Histogram<double> RunDuration =
        PipelineMeter.Meter.CreateHistogram<double>("batchxai.onnx.run.duration", "s", "Time inside ONNX Runtime per session run (forward, gradients, path steps)");

    public static void Record(long startedTimestamp, OrtExecutionProvider provider) =>
        RunDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("provider", provider.ToString().ToLowerInvariant()));
}
