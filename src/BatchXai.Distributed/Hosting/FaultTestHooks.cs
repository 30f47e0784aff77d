using BatchXai.Aggregator;
using BatchXai.Coordinator;
using BatchXai.Distributed.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchXai.Distributed.Hosting;

/// <summary>
/// Fault tests only: settings that make a service kill itself (SIGKILL, nothing finished or
/// released) at a chosen point between two steps, to prove the step after it is recovered.
/// Every such hook is declared here; none is set in normal service.
/// </summary>
public static class FaultTestHooks
{
    /// <summary>Coordinator: dies once a run and its batches are recorded, before any batch is published.</summary>
    public const string ExitAfterRecording = "TEST_EXIT_AFTER_RECORDING";

    /// <summary>Aggregator: dies once a run's class views are written, before its reports and before it is marked completed.</summary>
    public const string ExitAfterClassViews = "TEST_EXIT_AFTER_CLASS_VIEWS";

    /// <summary>Registers the hooks <paramref name="config"/> asks for ("1"); the services' constructors take them as optional.</summary>
    public static void AddFaultTestHooks(this IServiceCollection services, IConfiguration config)
    {
        if (config.Text(ExitAfterRecording) == "1") services.AddSingleton(new RunCoordinatorHooks { AfterRecording = Die });
        if (config.Text(ExitAfterClassViews) == "1") services.AddSingleton(new AggregatorHooks { AfterClassViews = Die });
    }

    private static Task Die(Guid run)
    {
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        return Task.CompletedTask;
    }
}
