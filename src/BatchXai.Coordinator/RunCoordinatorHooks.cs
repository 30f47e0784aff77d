namespace BatchXai.Coordinator;

/// <summary>
/// Points where a fault test can stop the coordinator (TEST_EXIT_AFTER_RECORDING in the
/// distributed service, see FaultTestHooks): registered only when asked for, never in normal service.
/// </summary>
public sealed class RunCoordinatorHooks
{
    /// <summary>Called with the run's id once the run and its batches are recorded, before any batch is published.</summary>
    public Func<Guid, Task>? AfterRecording { get; init; }
}
