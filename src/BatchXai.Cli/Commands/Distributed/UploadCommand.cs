using System.CommandLine;
using BatchXai.Storage.Objects;

namespace BatchXai.Cli.Commands.Distributed;

/// <summary><c>batchxai upload</c>: copy a local dataset folder into object storage (s3://bucket/prefix), keys relative to the folder.</summary>
public static class UploadCommand
{
    public static Command Build()
    {
        var from = new Option<string>("--from") { Description = "Local folder to upload", Required = true };
        var to = new Option<string>("--to") { Description = "Destination URI, e.g. s3://batchxai/datasets/demo (S3 settings from BATCHXAI_S3_*)", Required = true };
        var parallelism = new Option<int>("--parallel") { Description = "Uploads at once", DefaultValueFactory = _ => 8 };
        var command = new Command("upload", "Copy a local dataset folder into object storage") { from, to, parallelism };
        command.SetAction(async (parse, ct) =>
        {
            var source = Path.GetFullPath(parse.GetValue(from)!);
            if (!Directory.Exists(source))
            {
                Console.Error.WriteLine($"batchxai: folder '{source}' does not exist");
                return ExitCodes.BadInput;
            }
            var files = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).ToList();
            using var store = ObjectStoreFactory.FromEnvironment.Open(parse.GetValue(to)!);
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(parallelism)), CancellationToken = ct },
                async (file, token) => await store.WriteAsync(Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/'), await File.ReadAllBytesAsync(file, token), token));
            Console.WriteLine($"uploaded {files.Count} files to {parse.GetValue(to)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
