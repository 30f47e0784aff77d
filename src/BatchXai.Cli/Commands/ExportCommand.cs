using System.CommandLine;
using BatchXai.Storage.Csv;
using BatchXai.Dashboard.Reading;

namespace BatchXai.Cli.Commands;

/// <summary><c>batchxai export images|classes|failures</c>: a run's table as CSV, the same format as the dashboard's exports.</summary>
public static class ExportCommand
{
    public static Command Build()
    {
        var database = new DatabaseChoice();
        var what = new Argument<string>("table") { Description = "images (a row per image and method), classes (a row per method and class) or failures" };
        what.AcceptOnlyFromAmong("images", "classes", "failures");
        var run = new Option<Guid?>("--run") { Description = "Run id (default: the newest run)" };
        var file = new Option<string?>("--file") { Description = "Write the CSV here instead of to standard output" };

        var command = new Command("export", "Export a run's per-image results, class aggregates or failures as CSV") { what, run, file };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var queries = new RunQueries(await DashboardDatabase.OpenAsync(database.Resolve(parse), ct));
                var runId = parse.GetValue(run) ?? (await queries.RunsAsync(ct)).FirstOrDefault()?.Id
                    ?? throw new InvalidOperationException("the database holds no runs");
                if (await queries.Store.FindRunAsync(runId, ct) is null) throw new InvalidOperationException($"no run {runId:D} in the database");
                var csv = parse.GetValue(what) switch
                {
                    "images" => RunCsv.ImageResults(await queries.Store.AllResultsAsync(runId, ct)),
                    "classes" => RunCsv.ClassAggregates(await queries.Store.ClassAggregatesAsync(runId, ct)),
                    _ => RunCsv.Failures(await queries.Store.FailuresAsync(runId, ct)),
                };
                if (parse.GetValue(file) is { } path) await File.WriteAllBytesAsync(path, csv, ct);
                else await Console.OpenStandardOutput().WriteAsync(csv, ct);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or IOException)
            {
                Console.Error.WriteLine($"batchxai: {e.Message}");
                return ExitCodes.BadInput;
            }
        });
        return command;
    }
}
