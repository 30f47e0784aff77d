using System.CommandLine;

namespace BatchXai.Cli.Commands;

/// <summary>
/// Which results database a reading command opens: --db (a SQLite file or a PostgreSQL connection
/// string), else BATCHXAI_DB (keeps a password off the command line), else the embedded default
/// &lt;out&gt;/batchxai.db that <c>batchxai run</c> writes.
/// </summary>
public sealed class DatabaseChoice
{
    public const string Variable = "BATCHXAI_DB";

    public Option<string?> Db { get; } = new("--db") { Description = $"Results database: a SQLite file or a PostgreSQL connection string (default: ${Variable}, else <out>/batchxai.db)" };
    public Option<string> Out { get; } = new("--out") { Description = "Output folder of `batchxai run` whose batchxai.db to read", DefaultValueFactory = _ => "out" };

    public void AddTo(Command command)
    {
        command.Options.Add(Db);
        command.Options.Add(Out);
    }

    public string Resolve(ParseResult parse) =>
        parse.GetValue(Db) ?? (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } v ? v : Path.Combine(parse.GetValue(Out)!, "batchxai.db"));
}
