using System.CommandLine;

namespace BatchXai.Cli.Commands.Distributed;

/// <summary>The distributed mode's commands: its three services, the two API clients, and uploaders for datasets and models.</summary>
public static class DistributedCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(ServiceCommands.Coordinator());
        root.Subcommands.Add(ServiceCommands.Worker());
        root.Subcommands.Add(ServiceCommands.Aggregator());
        root.Subcommands.Add(SubmitCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        root.Subcommands.Add(UploadCommand.Build());
        root.Subcommands.Add(UploadModelCommand.Build());
    }
}
