namespace BatchXai.Aggregator;

/// <summary>
/// Points where a fault test can stop the aggregator (TEST_EXIT_AFTER_CLASS_VIEWS in the
/// distributed service, see FaultTestHooks): registered only when asked for, never in normal service.
/// </summary>
public sealed class AggregatorHooks
{
    /// <summary>Called with the run's id once its class views (and the rest of the map pass) are written, before its reports and before it is marked completed.</summary>
    public Func<Guid, Task>? AfterClassViews { get; init; }
}
