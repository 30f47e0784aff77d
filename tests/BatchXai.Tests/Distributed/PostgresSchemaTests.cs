using BatchXai.Storage.Database;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// The PostgreSQL migrations: applied once (also when several processes start together), and
/// the tables they create are exactly what the EF model maps, read from information_schema.
/// </summary>
public sealed class PostgresSchemaTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>
{
    private async Task<List<(int Version, string Name)>> RecordedAsync(PostgresTestDatabase database) =>
        await database.QueryAsync("SELECT version, name, applied_at FROM schema_versions ORDER BY version", r =>
        {
            Assert.True(DateTime.TryParse(r.GetString(2), out _), $"applied_at '{r.GetString(2)}' is no timestamp");
            return (r.GetInt32(0), r.GetString(1));
        });

    private static List<(int, string)> Scripts() => SchemaMigrator.Scripts(PostgresDatabase.Dialect).Select(s => (s.Version, s.Name)).ToList();

    [Fact]
    public void The_postgres_scripts_mirror_the_sqlite_scripts()
    {
        Assert.NotEmpty(Scripts());
        Assert.Equal(SchemaMigrator.Scripts("Sqlite").Select(s => (s.Version, s.Name)), Scripts());
    }

    [Fact]
    public async Task Opening_applies_every_script_once_and_a_reopen_applies_none()
    {
        Assert.Equal(Scripts(), await RecordedAsync(db));

        await PostgresDatabase.OpenAsync(db.ConnectionString);
        await using (var context = db.Open()) Assert.Equal(0, await SchemaMigrator.MigrateAsync(context, PostgresDatabase.Dialect));

        Assert.Equal(Scripts(), await RecordedAsync(db));
    }

    [Fact]
    public async Task Several_processes_opening_a_new_database_at_once_apply_each_script_once()
    {
        var fresh = new PostgresTestDatabase();
        await using var admin = await db.RawAsync();
        await new NpgsqlCommand($"CREATE DATABASE {fresh.Name}", admin).ExecuteNonQueryAsync();
        try
        {
            // Separate connection pools stand in for separate processes.
            var opened = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
                PostgresDatabase.OpenAsync(fresh.ConnectionString + $";Application Name=migrator{i}"))));

            Assert.Equal(Scripts(), await RecordedAsync(fresh));
            await using var context = opened[0]();
            Assert.Equal(0, await context.Runs.CountAsync());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {fresh.Name} WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Every_mapped_column_exists_with_its_type_and_nullability_and_no_other_columns()
    {
        await using var ef = db.Open();
        foreach (var entity in ef.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(table);
            var sql = (await db.QueryAsync(
                    "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @t",
                    r => (Name: r.GetString(0), Type: r.GetString(1), Nullable: r.GetString(2) == "YES"), ("t", table)))
                .ToDictionary(c => c.Name);
            Assert.True(sql.Count > 0, $"table {table} of {entity.ClrType.Name} does not exist");

            var mapped = entity.GetProperties().ToDictionary(p => p.GetColumnName(store)!);
            Assert.Equal(mapped.Keys.Order(), sql.Keys.Order());
            foreach (var (column, property) in mapped)
            {
                Assert.True(property.IsColumnNullable(store) == sql[column].Nullable, $"{table}.{column}: nullability differs from {entity.ClrType.Name}.{property.Name}");
                Assert.True(string.Equals(property.GetColumnType(store), sql[column].Type, StringComparison.OrdinalIgnoreCase),
                    $"{table}.{column}: SQL type {sql[column].Type}, EF maps {property.GetColumnType(store)}");
            }
        }
    }

    [Fact]
    public async Task Ids_are_uuids_timestamps_are_timestamptz_and_row_ids_are_generated()
    {
        var types = await db.QueryAsync(
            "SELECT table_name || '.' || column_name, data_type, is_identity FROM information_schema.columns WHERE table_schema = 'public'",
            r => (Column: r.GetString(0), Type: r.GetString(1), Identity: r.GetString(2) == "YES"));
        var byName = types.ToDictionary(t => t.Column);

        Assert.Equal("uuid", byName["runs.id"].Type);
        Assert.Equal("uuid", byName["image_results.run_id"].Type);
        Assert.Equal("bytea", byName["image_results.map_low_res"].Type);
        // schema_versions is the migrator's own bookkeeping, kept portable (text) across dialects.
        Assert.All(types.Where(t => t.Column.EndsWith("_at") && !t.Column.StartsWith("schema_versions.")), t => Assert.Equal("timestamp with time zone", t.Type));
        Assert.All(new[] { "image_results.id", "image_failures.id", "class_aggregates.id" }, c => Assert.True(byName[c].Identity, $"{c} is not an identity column"));
    }

    [Fact]
    public async Task Every_table_in_the_database_is_mapped()
    {
        await using var ef = db.Open();
        var tables = await db.QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", r => r.GetString(0));

        Assert.Equal(ef.Model.GetEntityTypes().Select(e => e.GetTableName()!).Append("schema_versions").Order(), tables.Order());
    }

    [Fact]
    public async Task Every_unique_index_of_the_model_is_a_unique_sql_index_on_the_same_columns()
    {
        await using var ef = db.Open();
        // Each unique index as "table:col1,col2" with the columns in index order.
        var uniqueSql = (await db.QueryAsync("""
            SELECT t.relname, string_agg(a.attname, ',' ORDER BY k.ord)
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
            WHERE i.indisunique
            GROUP BY t.relname, i.indexrelid
            """, r => $"{r.GetString(0)}:{r.GetString(1)}")).ToHashSet();

        foreach (var entity in ef.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(table);
            foreach (var index in entity.GetIndexes().Where(i => i.IsUnique))
            {
                var key = $"{table}:{string.Join(",", index.Properties.Select(p => p.GetColumnName(store)))}";
                Assert.True(uniqueSql.Contains(key), $"no unique SQL index {key}; SQL has {string.Join("; ", uniqueSql)}");
            }
        }
    }

    [Fact]
    public async Task The_database_refuses_a_second_result_for_one_run_image_and_method()
    {
        var run = await db.NewRunAsync();
        await using var connection = await db.RawAsync();

        async Task InsertAsync(string key, string method)
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO image_results (run_id, image_key, method, predicted, target_class, probabilities_json, map_height, map_width,
                    map_low_res, map_max, map_mean, roi_pixels, roi_ratio, roi_x0, roi_y0, roi_x1, roi_y1, npy_uri, png_uri, content_sha256, created_at)
                VALUES (@run, @key, @method, 0, 0, '[]', 1, 1, '\x00', 0, 0, 0, 0, 0, 0, 0, 0, '', '', '', now())
                """, connection);
            command.Parameters.AddWithValue("run", run.Id);
            command.Parameters.AddWithValue("key", key);
            command.Parameters.AddWithValue("method", method);
            await command.ExecuteNonQueryAsync();
        }

        await InsertAsync("a.png", "crm");
        await InsertAsync("a.png", "ig");
        var e = await Assert.ThrowsAsync<PostgresException>(() => InsertAsync("a.png", "crm"));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
        Assert.Equal("ux_image_results_run_key_method_target", e.ConstraintName); // one row per (run, image, method, target class): multi-label runs store a map per finding
        Assert.Equal(2, await db.CountAsync("image_results", run.Id));
    }
}
