using System.Reflection;
using BatchXai.Storage.Database;
using BatchXai.Tests.Storage;
using Npgsql;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// A fresh PostgreSQL database for one test class, opened the way the distributed mode opens it,
/// and dropped afterwards. Use as a class fixture.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    public string Name { get; } = $"batchxai_test_{Guid.NewGuid():N}";
    public string ConnectionString => DistributedServices.Postgres(Name).ConnectionString;
    public Func<ResultsDb> Open { get; private set; } = null!;
    public ResultStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await DistributedServices.EnsureStartedAsync();
        await AdminAsync($"CREATE DATABASE {Name}");
        Open = await PostgresDatabase.OpenAsync(ConnectionString);
        Store = new ResultStore(Open);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(DistributedServices.Postgres("batchxai").ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A plain ADO.NET connection, bypassing EF: the independent view of what is stored.</summary>
    public async Task<NpgsqlConnection> RawAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = await RawAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    /// <summary>A count over one run's rows of a table.</summary>
    public async Task<long> CountAsync(string table, Guid runId) =>
        (await QueryAsync($"SELECT COUNT(*) FROM {table} WHERE run_id = @run", r => r.GetInt64(0), ("run", runId))).Single();

    public async Task<RunRow> NewRunAsync(int expected = 10)
    {
        var run = RowFactory.Run(expected);
        await Store.CreateRunAsync(run);
        return run;
    }

    /// <summary>
    /// Truncates a row's timestamps to whole microseconds, in place: timestamptz keeps microseconds,
    /// while .NET's DateTime.UtcNow (which the store stamps rows with) has 100 ns ticks.
    /// </summary>
    public static T AsStored<T>(T row)
    {
        foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p.GetValue(row) is DateTime t) p.SetValue(row, new DateTime(t.Ticks - t.Ticks % 10, t.Kind));
        return row;
    }
}
