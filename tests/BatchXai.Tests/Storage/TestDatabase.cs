using BatchXai.Storage.Database;
using Microsoft.Data.Sqlite;

namespace BatchXai.Tests.Storage;

/// <summary>A SQLite results database in a temp folder, opened the way the embedded mode opens it.</summary>
internal sealed class TestDatabase : IDisposable
{
    private readonly TempFolder _folder;

    private TestDatabase(TempFolder folder, string path, Func<ResultsDb> open)
    {
        _folder = folder;
        FilePath = path;
        Open = open;
        Store = new ResultStore(open);
    }

    public string FilePath { get; }
    public Func<ResultsDb> Open { get; }
    public ResultStore Store { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var folder = new TempFolder("db");
        var path = Path.Combine(folder.Path, "results.db");
        return new TestDatabase(folder, path, await SqliteDatabase.OpenAsync(path));
    }

    /// <summary>A plain ADO.NET connection to the same file, bypassing EF: the independent view of what is stored.</summary>
    public SqliteConnection Raw() => OpenRaw(FilePath);

    public static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using var connection = Raw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    public async Task<RunRow> NewRunAsync(int expected = 10)
    {
        var run = RowFactory.Run(expected);
        await Store.CreateRunAsync(run);
        return run;
    }

    public void Dispose() => _folder.Dispose();
}
