using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchXai.Dashboard;
using BatchXai.Dashboard.Access;
using BatchXai.Http.Access;
using BatchXai.Dashboard.Reading;
using BatchXai.Storage.Database;
using BatchXai.Tests.Distributed;
using BatchXai.Tests.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BatchXai.Tests.Dashboard;

/// <summary>The dashboard reads the distributed mode's PostgreSQL database (same schema) and cannot write to it.</summary>
public sealed class PostgresDashboardTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    [Fact]
    public async Task The_api_serves_runs_images_and_class_views_from_postgres()
    {
        var run = await database.NewRunAsync(expected: 3);
        await database.Store.SaveBatchAsync(run.Id, ["a.png", "b.png", "c.png"],
            [RowFactory.Result("a.png", "crm", 0), RowFactory.Result("a.png", "ig", 0), RowFactory.Result("b.png", "crm", 1), RowFactory.Result("b.png", "ig", 1)],
            [RowFactory.Failure("c.png")]);
        await database.Store.RefreshProgressAsync(run.Id);
        await database.Store.ReplaceClassAggregatesAsync(run.Id, "crm", [RowFactory.Aggregate(1, 3)]);
        await database.Store.ReplaceAuditFindingsAsync(run.Id, [new AuditFindingRow { Method = "crm", ClassIndex = 1, Kind = "spray_cluster_1", Severity = "warning",
            Message = "a tight distant cluster", EvidenceJson = "{\"value\": 3.5, \"cluster\": 1}" }]);
        await database.Store.ReplaceModelMetricsAsync(run.Id, [new ModelMetricRow { Metric = "accuracy", ClassIndex = ModelMetricRow.WholeRun, Value = 0.5, Images = 2 },
            new ModelMetricRow { Metric = "confusion", ClassIndex = 1, PredictedIndex = 0, Value = 1, Images = 2 }]);

        await using var app = await DashboardApp.BuildAsync(new DashboardOptions
        {
            Database = database.ConnectionString, Port = 0, Access = new ApiAccess { ApiKey = "pg-key" },
        });
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        client.DefaultRequestHeaders.Add(ApiAccess.ApiKeyHeader, "pg-key");

        var listed = (await client.GetFromJsonAsync<JsonArray>("/api/runs"))!.Single(r => (string)r!["id"]! == run.Id.ToString("D"))!;
        Assert.Equal((3, 2, 1), ((int)listed["expected"]!, (int)listed["explained"]!, (int)listed["failed"]!));
        var page = (await client.GetFromJsonAsync<JsonObject>($"/api/runs/{run.Id:D}/images?limit=10"))!;
        Assert.Equal(["a.png", "b.png"], page["items"]!.AsArray().Select(i => (string)i!["imageKey"]!));
        Assert.Equal(["crm", "ig"], page["items"]![0]!["results"]!.AsArray().Select(r => (string)r!["method"]!));
        var classes = (await client.GetFromJsonAsync<JsonArray>($"/api/runs/{run.Id:D}/classes"))!;
        Assert.Equal(1, (int)classes.Single()!["classIndex"]!);
        // The reviewer's views read PostgreSQL too.
        var verdicts = (await client.GetFromJsonAsync<JsonArray>($"/api/runs/{run.Id:D}/verdicts"))!;
        Assert.Equal(["clean", "review"], verdicts.Select(v => (string)v!["verdict"]!));
        Assert.Equal("spray_cluster_1", (string)verdicts[1]!["drivenBy"]!["kind"]!);
        var model = (await client.GetFromJsonAsync<JsonObject>($"/api/runs/{run.Id:D}/metrics"))!["model"]!;
        Assert.Equal(0.5, (double)model["accuracy"]!);
        Assert.Equal(1, (int)model["confusion"]![1]![0]!);
        var keys = (await client.GetFromJsonAsync<JsonObject>($"/api/runs/{run.Id:D}/image-keys"))!;
        Assert.Equal(["a.png", "b.png"], keys["keys"]!.AsArray().Select(k => (string)k!));
        using var report = await client.GetAsync($"/api/runs/{run.Id:D}/report.html");
        Assert.Contains("a tight distant cluster", await report.Content.ReadAsStringAsync());
        await app.StopAsync();
    }

    [Fact]
    public async Task The_dashboards_connection_is_read_only()
    {
        var run = await database.NewRunAsync();
        var open = await DashboardDatabase.OpenAsync(database.ConnectionString);
        await using var db = open();
        var e = await Assert.ThrowsAsync<PostgresException>(() => db.Runs.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, "hacked")));
        Assert.Equal("25006", e.SqlState); // read_only_sql_transaction
        Assert.Equal("running", (await database.Store.FindRunAsync(run.Id))!.Status);
    }
}
