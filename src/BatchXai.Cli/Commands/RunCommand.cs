using System.CommandLine;
using System.Text.Json;
using BatchXai.Contracts;
using BatchXai.Onnx.Runtime;
using BatchXai.Storage.Database;

namespace BatchXai.Cli.Commands;

/// <summary><c>batchxai run</c>: explain a dataset end to end on the embedded default.</summary>
public static class RunCommand
{
    public static Command Build()
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset folder: folder-per-class, APTOS train.csv, EyePACS trainLabels.csv, labels.csv, or unlabelled", Required = true };
        var model = new Option<string>("--model") { Description = "Model manifest (JSON beside the .onnx)", Required = true };
        var methods = RunOptionFlags.Methods();
        var methodFlags = RunOptionFlags.Create();
        var output = new Option<string>("--out") { Description = "Output folder (maps, overlays, CSVs, SQLite database)", DefaultValueFactory = _ => "out" };
        var target = new Option<string>("--target") { Description = "Class each image is explained for: predicted, label, or the name of one class or finding (multi-label heads: predicted = every finding at or above --finding-threshold, label = every labelled finding)", DefaultValueFactory = _ => "predicted" };
        var batchSize = new Option<int>("--batch-size") { Description = $"Images per ExplainBatch message, {Coordinator.RunCoordinator.MinBatchSize}-{Coordinator.RunCoordinator.MaxBatchSize}", DefaultValueFactory = _ => Coordinator.RunCoordinator.DefaultBatchSize };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var provider = new Option<ProviderRequest>("--provider") { Description = "Execution provider: auto (CUDA when its libraries load, else CPU), cpu or cuda (falls back to CPU with one line naming what is missing)", DefaultValueFactory = _ => ProviderRequest.Auto };
        var json = new Option<bool>("--json") { Description = "Print one JSON line with the run's counts at the end" };
        var verbose = new Option<bool>("--verbose") { Description = "Log progress details to stderr" };

        var command = new Command("run", "Explain every image of a dataset and build class-level views") { dataset, model, methods, output, target, batchSize, threads, provider, json, verbose };
        foreach (var flag in methodFlags) command.Options.Add(flag);
        command.SetAction((parse, ct) => ExecuteAsync(new RunArguments(
            parse.GetValue(dataset)!, parse.GetValue(model)!, parse.GetValue(methods)!, parse.GetValue(output)!, TargetChoice.Parse(parse.GetValue(target)),
            parse.GetValue(batchSize), parse.GetValue(threads), parse.GetValue(provider), parse.GetValue(json), parse.GetValue(verbose),
            RunOptionFlags.Values(parse, methodFlags)), ct));
        return command;
    }

    public static async Task<int> ExecuteAsync(RunArguments args, CancellationToken ct)
    {
        RunOutcome outcome;
        try
        {
            outcome = await EmbeddedRunner.RunAsync(args,
                (results, run) => RunProgressView.WaitAsync(results, run, showBar: !args.Json && !Console.IsErrorRedirected, printLines: true, ct), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: the batches in flight were finished and stored, the rest not started.
            Console.Error.WriteLine($"batchxai: stopped before the run ended; what was explained is in {Path.GetFullPath(args.Out)}");
            return ExitCodes.Interrupted;
        }
        if (outcome.Run is null)
        {
            Console.Error.WriteLine($"batchxai: {outcome.Error}");
            return outcome.ExitCode;
        }
        Report(outcome.Run, outcome.Classes ?? [], outcome.OutDir, args.Json, outcome.ModelMetrics ?? []);
        if (!args.Json) MetricsSummary.Print(Console.Out, outcome.Run, outcome.ModelMetrics ?? [], outcome.ClassMetrics ?? []);
        return outcome.ExitCode;
    }

    private static void Report(RunRow run, IReadOnlyList<ClassAggregateRow> classes, string outDir, bool json, IReadOnlyList<ModelMetricRow> model)
    {
        double? Whole(string metric) => model.FirstOrDefault(m => m.Metric == metric && m.ClassIndex == ModelMetricRow.WholeRun)?.Value;
        var runDir = Path.Combine(outDir, run.Id.ToString("D"));
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                run = run.Id.ToString("D"), status = run.Status, expected = run.Expected, explained = run.Explained, failed = run.Failed,
                methods = RunInfo.Of(run).Methods, model = run.ModelName, classSelection = ClassSelectionOf(run), @out = runDir, error = run.Error,
                accuracy = Whole("accuracy"), kappa = Whole("qwk"),
            }));
            return;
        }
        Console.WriteLine($"run {run.Id:D} {run.Status}: {run.Explained} of {run.Expected} images explained, {run.Failed} failed");
        if (classes.Count > 0)
        {
            Console.WriteLine($"class views by {ClassSelectionOf(run)} class ({ClassSelectionOption.Name})");
            // CRM paper Table 3 analog: the class-level ROI (≥ 70% of the average map's max) and
            // the mean per-image ROI (≥ 20% of each map's max), as shares of the image.
            Console.WriteLine($"{"method",-10} {"class",-16} {"images",6} {"class ROI",10} {"image ROI mean",15}");
            foreach (var c in classes)
                Console.WriteLine($"{c.Method,-10} {c.ClassIndex + " " + c.ClassName,-16} {c.ImageCount,6} {c.RoiRatio,10:P1} {c.ImageRoiRatioMean,15:P1}");
        }
        Console.WriteLine($"results in {runDir} (results.csv, failures.csv, classes.csv, metrics.csv when labels or --metrics, <method>/ maps and overlays, classes/ class-level views)");
        if (run.Error is not null) Console.WriteLine($"error: {run.Error}");
    }

    private static string ClassSelectionOf(RunRow run) => ClassSelectionOption.NameOf(RunInfo.Of(run).ClassSelection);
}
