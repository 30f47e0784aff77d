using System.Diagnostics;

namespace BatchXai.Core.Telemetry;

/// <summary>
/// The activity source for BatchXai's own spans (a worker's stages inside a batch). The services
/// trace it with MassTransit's "MassTransit" source, so one batch is one trace from the
/// coordinator's publish through the worker to the progress and aggregation consumers; spans
/// are made only while a tracer listens (OTLP export configured).
/// </summary>
public static class PipelineActivity
{
    public const string Name = PipelineMeter.Name;

    public static readonly ActivitySource Source = new(Name);
}
