using Npgsql;

namespace BatchXai.Tests.Distributed.Faults;

/// <summary>
/// A PostgreSQL cluster of the test's own (infra/private-postgres.sh) on a free port, so a test
/// can stop and restart the database mid-run without touching the shared one.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private PrivatePostgres(string folder, int port) { Folder = folder; Port = port; }

    public string Folder { get; }
    public int Port { get; }
    public const string Database = "batchxai";

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = "batchxai", Database = Database,
        // Short waits: a stopped server is noticed quickly, and the services' retries take over.
        Timeout = 5, CommandTimeout = 30,
    }.ConnectionString;

    /// <summary>For the test's own queries: unpooled, so a connection cut by a restart is never reused.</summary>
    public string UnpooledConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;

    public static async Task<PrivatePostgres> CreateAsync()
    {
        await DistributedServices.EnsureStartedAsync(); // installs the PostgreSQL binaries on a fresh machine
        // Not a CreateTempSubdirectory folder: as root the cluster belongs to user postgres, who must reach it.
        var pg = new PrivatePostgres(Path.Combine(Path.GetTempPath(), $"batchxai-pg-{Guid.NewGuid():N}"), ServiceProcess.FreePort());
        await ScriptAsync("init", pg.Folder, pg.Port.ToString());
        await pg.StartAsync();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
        await command.ExecuteNonQueryAsync();
        return pg;
    }

    public Task StartAsync() => ScriptAsync("start", Folder);

    /// <summary>A fast shutdown: open connections are cut, as in an outage.</summary>
    public Task StopAsync() => ScriptAsync("stop", Folder);

    private static Task ScriptAsync(params string[] arguments) => InfraScript.RunAsync("private-postgres.sh", arguments);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ScriptAsync("destroy", Folder);
    }
}
