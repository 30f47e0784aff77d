using System.CommandLine;
using System.Text.Json;
using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;

namespace BatchXai.Cli.Commands.Distributed;

/// <summary><c>batchxai status RUN</c>: a run's status, counts and progress from the coordinator; without RUN, the recent runs.</summary>
public static class StatusCommand
{
    public static Command Build()
    {
        var runId = new Argument<Guid?>("run") { Description = "Run id (omit to list recent runs)", Arity = ArgumentArity.ZeroOrOne };
        var failures = new Option<bool>("--failures") { Description = "Also list the run's failed images and why" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var coordinator = SubmitCommand.CoordinatorOption();
        var command = new Command("status", "Show a run's status on the distributed coordinator") { runId, failures, json, coordinator };
        command.SetAction(async (parse, ct) =>
        {
            using var client = CoordinatorClient.For(parse.GetValue(coordinator));
            try
            {
                if (parse.GetValue(runId) is not Guid id)
                {
                    var runs = await client.RunsAsync(ct: ct);
                    if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(runs, CoordinatorClient.Json));
                    else foreach (var r in runs) Console.WriteLine($"{r.Id:D} {r.Status,-11} {r.Explained + r.Failed,6}/{r.Expected,-6} {r.Model} {string.Join(",", r.Methods)} {r.Dataset}");
                    return ExitCodes.Ok;
                }
                var run = await client.RunAsync(id, ct);
                var failed = parse.GetValue(failures) ? await client.FailuresAsync(id, ct) : null;
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { run, failures = failed }, CoordinatorClient.Json));
                else
                {
                    Print(run);
                    foreach (var f in failed ?? []) Console.WriteLine($"  failed {f.ImageKey} [{f.Stage}]: {f.Error}");
                }
                return run.Status == Contracts.RunStatus.Failed ? ExitCodes.RunFailed : ExitCodes.Ok;
            }
            catch (CoordinatorApiException e)
            {
                Console.Error.WriteLine($"batchxai: {e.Message}");
                return e.Status is 401 or 404 ? ExitCodes.BadInput : ExitCodes.RunFailed;
            }
        });
        return command;
    }

    public static void Print(RunView run)
    {
        Console.WriteLine($"run {run.Id:D} {run.Status}: {run.Explained} explained, {run.Failed} failed of {run.Expected} ({run.Progress:P0})");
        Console.WriteLine($"  model {run.Model}, methods {string.Join(",", run.Methods)}, dataset {run.Dataset}, results {run.Results}/{run.Id:D}");
        if (run.Error is not null) Console.WriteLine($"  error: {run.Error}");
    }
}
