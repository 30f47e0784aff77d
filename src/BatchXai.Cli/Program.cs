using System.CommandLine;
using BatchXai.Cli.Commands;

namespace BatchXai.Cli;

public static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

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
