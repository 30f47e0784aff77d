using System.Data.Common;
using System.Text.RegularExpressions;
using BatchXai.Storage.Database;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BatchXai.Tests.Storage;

/// <summary>
/// The progress race of two handlers refreshing one run's counts (the coordinator's and the
/// worker's): handler A is held just before its UPDATE of the runs row while handler B stores a
/// batch and refreshes; then A goes on. A count A took before B's batch must not overwrite B's.
/// </summary>
internal static partial class ProgressRace
{
    /// <summary>Runs the interleaving and returns the counts left on the run row.</summary>
    /// <param name="withInterceptor">Opens a context of the database under test with an extra interceptor.</param>
    public static async Task<(int Explained, int Failed)> RunAsync(ResultStore store, Func<IInterceptor, Func<ResultsDb>> withInterceptor)
    {
        var run = RowFactory.Run(expected: 5);
        await store.CreateRunAsync(run);
        await store.SaveBatchAsync(run.Id, ["a.png", "b.png"], [RowFactory.Result("a.png", "crm", 1), RowFactory.Result("b.png", "crm", 2)], []);

        var gate = new RunsUpdateGate();
        var handlerA = Task.Run(() => new ResultStore(withInterceptor(gate)).RefreshProgressAsync(run.Id));
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var handlerB = Task.Run(async () =>
        {
            await store.SaveBatchAsync(run.Id, ["c.png", "d.png", "e.png"],
                [RowFactory.Result("c.png", "crm", 3), RowFactory.Result("d.png", "crm", 4)], [RowFactory.Failure("e.png")]);
            await store.RefreshProgressAsync(run.Id);
        });
        // B either finishes (A's count would then be the stale one) or waits for A (a correct
        // implementation may hold the run's row); A goes on either way.
        await Task.WhenAny(handlerB, Task.Delay(TimeSpan.FromSeconds(3)));
        gate.Release.SetResult();
        await Task.WhenAll(handlerA, handlerB).WaitAsync(TimeSpan.FromSeconds(120));

        var stored = await store.FindRunAsync(run.Id) ?? throw new InvalidOperationException("run vanished");
        return (stored.Explained, stored.Failed);
    }

    /// <summary>Holds the first command that updates the runs table until released.</summary>
    private sealed partial class RunsUpdateGate : DbCommandInterceptor
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        [GeneratedRegex(@"\bUPDATE\s+""?runs""?\s", RegexOptions.IgnoreCase)]
        private static partial Regex RunsUpdate();

        private async Task HoldAsync(DbCommand command)
        {
            if (!RunsUpdate().IsMatch(command.CommandText) || Interlocked.Exchange(ref _held, 1) == 1) return;
            Reached.SetResult();
            await Release.Task;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData data,
            InterceptionResult<int> result, CancellationToken ct = default)
        {
            await HoldAsync(command);
            return result;
        }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData data,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            await HoldAsync(command);
            return result;
        }

        public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData data,
            InterceptionResult<object> result, CancellationToken ct = default)
        {
            await HoldAsync(command);
            return result;
        }
    }
}
