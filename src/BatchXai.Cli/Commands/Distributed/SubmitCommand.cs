using System.CommandLine;
using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Distributed.Client;
using BatchXai.Coordinator;
using BatchXai.Distributed.Coordinator;

namespace BatchXai.Cli.Commands.Distributed;

/// <summary><c>batchxai submit</c>: start a run on the coordinator's API; with --wait, follow it to the end.</summary>
public static class SubmitCommand
{
    public static Command Build()
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset URI the workers can read, e.g. s3://batchxai/datasets/aptos", Required = true };
        var model = new Option<string>("--model") { Description = "Model: s3://bucket/models/NAME/manifest.json (see upload-model), a model name (the coordinator's MODELS_DIR, then MODELS_URI), or a manifest path every worker can read", Required = true };
        var methods = RunOptionFlags.Methods();
        var results = new Option<string?>("--results") { Description = "Results URI (default: the coordinator's RESULTS_URI)" };
        var target = new Option<string?>("--target") { Description = "Class each image is explained for: predicted (default), label, or the name of one class or finding" };
        var batchSize = new Option<int?>("--batch-size") { Description = $"Images per ExplainBatch message, {RunCoordinator.MinBatchSize}-{RunCoordinator.MaxBatchSize} (default: the coordinator's BATCH_SIZE)" };
        var runOptions = RunOptionFlags.Create();
        var wait = new Option<bool>("--wait") { Description = "Follow the run until it completes or fails" };
        var json = new Option<bool>("--json") { Description = "Print the run as JSON" };
        var coordinator = CoordinatorOption();

        var command = new Command("submit", "Start a run on the distributed coordinator") { dataset, model, methods, results, target, batchSize, wait, json, coordinator };
        foreach (var flag in runOptions) command.Options.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            var options = RunOptionFlags.Values(parse, runOptions);
            var request = new StartRunRequest(parse.GetValue(dataset)!, parse.GetValue(model)!,
                parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(results), parse.GetValue(target), parse.GetValue(batchSize), options.Count > 0 ? options : null);
            using var client = CoordinatorClient.For(parse.GetValue(coordinator));
            try
            {
                var run = await client.StartRunAsync(request, ct);
                if (!parse.GetValue(json)) Console.WriteLine($"run {run.Id:D} started: {run.Expected} images, methods {string.Join(",", run.Methods)}");
                if (parse.GetValue(wait))
                {
                    var lastLine = DateTime.MinValue;
                    run = await client.WaitAsync(run.Id, r =>
                    {
                        if (parse.GetValue(json) || DateTime.UtcNow - lastLine < TimeSpan.FromSeconds(5)) return;
                        Console.Error.WriteLine($"batchxai: run {r.Id:D} {r.Status}: {r.Explained + r.Failed}/{r.Expected} images");
                        lastLine = DateTime.UtcNow;
                    }, ct: ct);
                    if (!parse.GetValue(json)) StatusCommand.Print(run);
                }
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(run, CoordinatorClient.Json));
                return run.Status == Contracts.RunStatus.Failed ? ExitCodes.RunFailed : ExitCodes.Ok;
            }
            catch (CoordinatorApiException e)
            {
                Console.Error.WriteLine($"batchxai: {e.Message}");
                return e.Status is 400 or 401 ? ExitCodes.BadInput : ExitCodes.RunFailed;
            }
        });
        return command;
    }

    public static Option<string?> CoordinatorOption() =>
        new("--coordinator") { Description = $"Coordinator API URL (default ${CoordinatorClient.UrlVariable} or {CoordinatorClient.DefaultUrl})" };
}
