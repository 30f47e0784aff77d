using BatchXai.Contracts;
using BatchXai.Storage.Database;
using Spectre.Console;

namespace BatchXai.Cli;

/// <summary>Follows a run to its end: a progress bar on a terminal, a line every few seconds otherwise.</summary>
public static class RunProgressView
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    public static async Task<RunRow> WaitAsync(ResultStore results, RunRow started, bool showBar, bool printLines, CancellationToken ct)
    {
        if (!showBar)
        {
            var lastLine = DateTime.UtcNow;
            return await PollAsync(results, started.Id, run =>
            {
                if (!printLines || DateTime.UtcNow - lastLine < PlainEvery) return;
                Console.Error.WriteLine($"batchxai: run {run.Id:D} {run.Status}: {run.Explained + run.Failed}/{run.Expected} images");
                lastLine = DateTime.UtcNow;
            }, ct);
        }

        RunRow final = started;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"explaining {started.Expected} images", maxValue: Math.Max(1, started.Expected));
                final = await PollAsync(results, started.Id, run =>
                {
                    task.Value = run.Explained + run.Failed;
                    task.Description = run.Status == RunStatus.Aggregating ? "building class-level views" : $"explained {run.Explained}, failed {run.Failed}";
                }, ct);
                task.Value = task.MaxValue;
            });
        return final;
    }

    private static async Task<RunRow> PollAsync(ResultStore results, Guid runId, Action<RunRow> update, CancellationToken ct)
    {
        while (true)
        {
            var run = await results.FindRunAsync(runId, ct) ?? throw new InvalidOperationException($"run {runId} disappeared");
            update(run);
            if (run.Status is RunStatus.Completed or RunStatus.Failed) return run;
            await Task.Delay(Poll, ct);
        }
    }
}
