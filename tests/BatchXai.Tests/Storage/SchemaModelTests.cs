using BatchXai.Storage.Database;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace BatchXai.Tests.Storage;

/// <summary>
/// The SQL migrations own the schema and EF only maps rows onto it, so nothing but these tests
/// keeps the two in step: every mapped table and column must exist with the same type and
/// nullability, and every unique index of the model must be a unique index in SQL.
/// </summary>
public sealed class SchemaModelTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    [Fact]
    public void Every_mapped_column_exists_with_its_type_and_nullability_and_no_other_columns()
    {
        using var ef = _db.Open();
        using var connection = _db.Raw();
        foreach (var entity in ef.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(table);
            var sql = Query(connection, $"PRAGMA table_info({table})", r => (Name: r.GetString(1), Type: r.GetString(2), NotNull: r.GetInt64(3) == 1))
                .ToDictionary(c => c.Name);
            Assert.True(sql.Count > 0, $"table {table} of {entity.ClrType.Name} does not exist");

            var mapped = entity.GetProperties().ToDictionary(p => p.GetColumnName(store)!);
            Assert.Equal(mapped.Keys.Order(), sql.Keys.Order());
            foreach (var (column, property) in mapped)
            {
                Assert.True(property.IsColumnNullable(store) == !sql[column].NotNull, $"{table}.{column}: nullability differs from {entity.ClrType.Name}.{property.Name}");
                Assert.True(string.Equals(property.GetColumnType(store), sql[column].Type, StringComparison.OrdinalIgnoreCase),
                    $"{table}.{column}: SQL type {sql[column].Type}, EF maps {property.GetColumnType(store)}");
            }
        }
    }

    [Fact]
    public void Every_table_in_the_database_is_mapped()
    {
        using var ef = _db.Open();
        using var connection = _db.Raw();
        var tables = Query(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", r => r.GetString(0));

        Assert.Equal(
            ef.Model.GetEntityTypes().Select(e => e.GetTableName()!).Append("schema_versions").Order(),
            tables.Order());
    }

    [Fact]
    public void Every_unique_index_of_the_model_is_a_unique_sql_index_on_the_same_columns()
    {
        using var ef = _db.Open();
        using var connection = _db.Raw();
        foreach (var entity in ef.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(table);
            var uniqueSql = Query(connection, $"PRAGMA index_list({table})", r => (Name: r.GetString(1), Unique: r.GetInt64(2) == 1))
                .Where(i => i.Unique)
                .Select(i => string.Join(",", Query(connection, $"PRAGMA index_info({i.Name})", r => (Seq: r.GetInt64(0), Column: r.GetString(2)))
                    .OrderBy(c => c.Seq).Select(c => c.Column)))
                .ToHashSet();
            foreach (var index in entity.GetIndexes().Where(i => i.IsUnique))
            {
                var columns = string.Join(",", index.Properties.Select(p => p.GetColumnName(store)));
                Assert.True(uniqueSql.Contains(columns), $"{table}: no unique SQL index on ({columns}); SQL has {string.Join("; ", uniqueSql)}");
            }
        }
    }

    [Fact]
    public async Task The_database_refuses_a_second_result_for_one_run_image_and_method()
    {
        var run = await _db.NewRunAsync();
        using var connection = _db.Raw();
        var runId = Query(connection, "SELECT id FROM runs", r => r.GetString(0)).Single();

        void Insert(string key, string method)
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO image_results (run_id, image_key, method, predicted, target_class, probabilities_json, map_height, map_width,
                    map_low_res, map_max, map_mean, roi_pixels, roi_ratio, roi_x0, roi_y0, roi_x1, roi_y1, npy_uri, png_uri, content_sha256, created_at)
                VALUES ($run, $key, $method, 0, 0, '[]', 1, 1, x'00', 0, 0, 0, 0, 0, 0, 0, 0, '', '', '', '2025-01-01')
                """;
            command.Parameters.AddWithValue("$run", runId);
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$method", method);
            command.ExecuteNonQuery();
        }

        Insert("a.png", "crm");
        Insert("a.png", "ig");
        Insert("b.png", "crm");
        var e = Assert.Throws<SqliteException>(() => Insert("a.png", "crm"));

        Assert.Equal(19, e.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("image_results", e.Message);
        Assert.Equal(3, _db.Scalar("SELECT COUNT(*) FROM image_results"));
        Assert.Equal(3, (await _db.Store.AllResultsAsync(run.Id)).Count);
    }

    [Fact]
    public async Task The_database_refuses_a_second_failure_for_one_run_and_image()
    {
        await _db.NewRunAsync();
        using var connection = _db.Raw();
        var runId = Query(connection, "SELECT id FROM runs", r => r.GetString(0)).Single();

        void Insert(string key)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO image_failures (run_id, image_key, stage, error, created_at) VALUES ($run, $key, 'decode', 'x', '2025-01-01')";
            command.Parameters.AddWithValue("$run", runId);
            command.Parameters.AddWithValue("$key", key);
            command.ExecuteNonQuery();
        }

        Insert("a.png");
        Assert.Equal(19, Assert.Throws<SqliteException>(() => Insert("a.png")).SqliteErrorCode);
    }
}
