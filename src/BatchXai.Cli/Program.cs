using System.CommandLine;
using BatchXai.Cli.Commands;

namespace BatchXai.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // System.CommandLine's own handling would end the process 2 s after a signal, mid-shutdown.
        using var signals = new StopSignals();
        return await BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("BatchXai: explanation maps (CRM, CAM, ...) for image classifiers, at dataset scale.");
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(SampleDataCommand.Build());
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(ExportCommand.Build());
        Commands.Distributed.DistributedCommands.AddTo(root);
        return root;
    }
}
