using Microsoft.Extensions.Configuration;
using Npgsql;

namespace BatchXai.Distributed.Configuration;

/// <summary>
/// The PostgreSQL connection: PG_CONNECTION (a whole Npgsql connection string) or PG_HOST,
/// PG_PORT, PG_USER, PG_PASSWORD, PG_DATABASE. <see cref="ToString"/> never shows the password.
/// </summary>
public sealed class PostgresSettings
{
    private readonly NpgsqlConnectionStringBuilder _builder;

    private PostgresSettings(NpgsqlConnectionStringBuilder builder) => _builder = builder;

    public string ConnectionString => _builder.ConnectionString;

    public static PostgresSettings From(IConfiguration config)
    {
        var builder = config.Text("PG_CONNECTION") is { } whole
            ? new NpgsqlConnectionStringBuilder(whole)
            : new NpgsqlConnectionStringBuilder
            {
                Host = config.Text("PG_HOST") ?? "127.0.0.1",
                Port = config.Int("PG_PORT", 5432),
                Username = config.Text("PG_USER") ?? "batchxai",
                Password = config.Text("PG_PASSWORD"),
                Database = config.Text("PG_DATABASE") ?? "batchxai",
            };
        return new PostgresSettings(builder);
    }

    public override string ToString() => $"postgres://{_builder.Username}@{_builder.Host}:{_builder.Port}/{_builder.Database}";
}
