using System.CommandLine;
using BatchXai.Storage.Csv;
using BatchXai.Dashboard.Reading;
using BatchXai.Dashboard.Review;
using BatchXai.Storage.Objects;

namespace BatchXai.Cli.Commands;

/// <summary>
/// <c>batchxai export images|classes|failures|report</c>: a run's table as CSV (the same format as the
/// dashboard's exports), or its audit report as one self-contained HTML file (PDF when --file ends in
/// .pdf, printed by headless Chromium) — the report the dashboard's run page opens.
/// </summary>
public static class ExportCommand
{
    public static Command Build()
    {
        var database = new DatabaseChoice();
        var what = new Argument<string>("table") { Description = "images (a row per image and method), classes (a row per method and class), failures, or report (the audit report: HTML, or PDF with --file x.pdf)" };
        what.AcceptOnlyFromAmong("images", "classes", "failures", "report");
        var run = new Option<Guid?>("--run") { Description = "Run id (default: the newest run)" };
        var file = new Option<string?>("--file") { Description = "Write the CSV or report here instead of to standard output (report: .pdf prints it with Chromium)" };

        var command = new Command("export", "Export a run's per-image results, class aggregates or failures as CSV, or its audit report as HTML/PDF") { what, run, file };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var queries = new RunQueries(await DashboardDatabase.OpenAsync(database.Resolve(parse), ct));
                var runId = parse.GetValue(run) ?? (await queries.RunsAsync(ct)).FirstOrDefault()?.Id
                    ?? throw new InvalidOperationException("the database holds no runs");
                if (await queries.Store.FindRunAsync(runId, ct) is not { } found) throw new InvalidOperationException($"no run {runId:D} in the database");
                var path = parse.GetValue(file);
                byte[] output;
                if (parse.GetValue(what) == "report")
                {
                    using var stores = new RunStores(null, ObjectStoreFactory.FromEnvironment);
                    var html = await AuditReport.WriteAsync(queries.Store, found, stores.Results(found), ct);
                    if (path is not null && path.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
                    {
                        await ReportPdf.PrintAsync(html, path, ct);
                        return ExitCodes.Ok;
                    }
                    output = System.Text.Encoding.UTF8.GetBytes(html);
                }
                else output = parse.GetValue(what) switch
                {
                    "images" => RunCsv.ImageResults(await queries.Store.AllResultsAsync(runId, ct)),
                    "classes" => RunCsv.ClassAggregates(await queries.Store.ClassAggregatesAsync(runId, ct)),
                    _ => RunCsv.Failures(await queries.Store.FailuresAsync(runId, ct)),
                };
                if (path is not null) await File.WriteAllBytesAsync(path, output, ct);
                else await Console.OpenStandardOutput().WriteAsync(output, ct);
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
