using System.CommandLine;
using BatchXai.Dashboard;
using BatchXai.Dashboard.Access;
using BatchXai.Dashboard.Reading;
using BatchXai.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchXai.Cli.Commands;

/// <summary><c>batchxai serve</c>: the dashboard over stored results, until Ctrl+C or SIGTERM (BATCHXAI_SHUTDOWN_GRACE_SECONDS to finish requests).</summary>
public static class ServeCommand
{
    public static Command Build()
    {
        var database = new DatabaseChoice();
        var store = new Option<string?>("--store") { Description = "Results store to read maps from (folder, file:// or s3:// URI); default: each run's own" };
        var port = new Option<int>("--port") { Description = "Port to listen on", DefaultValueFactory = _ => 5080 };
        var bind = new Option<string>("--bind") { Description = "Address to listen on (127.0.0.1, an IP, or * for all; not loopback needs credentials)", DefaultValueFactory = _ => "127.0.0.1" };
        var verbose = new Option<bool>("--verbose") { Description = "Log requests and details to stderr" };

        var command = new Command("serve", $"Serve the dashboard and its JSON API over stored results (credentials: {DashboardAccess.Variables.ApiKey}, " +
            $"{DashboardAccess.Variables.User}/{DashboardAccess.Variables.Password})") { store, port, bind, verbose };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var db = database.Resolve(parse);
            WebApplication app;
            try
            {
                var options = new DashboardOptions
                {
                    Database = db, StoreUri = parse.GetValue(store), Port = parse.GetValue(port), BindAddress = parse.GetValue(bind)!,
                    Access = DashboardAccess.FromEnvironment(), ShutdownGrace = ShutdownGrace.FromEnvironment(),
                };
                app = await DashboardApp.BuildAsync(options, parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning, ct);
                await app.StartAsync(ct);
                Console.Error.WriteLine($"batchxai: dashboard on {string.Join(", ", app.Urls)} reading {DashboardDatabase.Describe(db)}; access: {options.Access}; Ctrl+C stops it");
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or ArgumentException or IOException)
            {
                Console.Error.WriteLine($"batchxai: {e.Message}");
                return ExitCodes.BadInput;
            }
            await using (app)
            {
                // SIGTERM/SIGINT: stop listening, let requests in flight finish within the grace period, exit 0.
                await app.WaitForShutdownAsync(ct);
                Console.Error.WriteLine("batchxai: dashboard stopped");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
