using System.Text.Json;
using BatchXai.Aggregator.Audit;
using BatchXai.Core.Audit;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Storage;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Tests.Audit;

/// <summary>
/// The auditor measures each image against its stored field of view, not the inscribed disc, and
/// falls back to the inscribed disc (saying so) where none is stored. Every map puts all its mass
/// in a block that lies inside the disc inscribed in the frame but outside both stored fields of
/// view, so the outside share is 1 per image measured against a stored one and 0 against the inscribed disc.
/// </summary>
public sealed class ArtefactAuditorFieldOfViewTests : IAsyncLifetime
{
    private const int Size = 100;
    private const string Method = "cam";
    private static readonly string[] Keys = ["a.png", "b.png", "c.png"];
    private TestDatabase _db = null!;
    private readonly TempFolder _results = new("audit-fov");
    private RunRow _run = null!;

    private static bool InBlock(int x, int y) => x is >= 60 and < 90 && y is >= 40 and < 60; // farthest pixel centre 40.6 px from (50, 50)

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _run = RowFactory.Run(expected: Keys.Length);
        _run.ResultsUri = _results.Path;
        _run.Methods = Method;
        _run.ClassNamesJson = "[\"only\"]";
        await _db.Store.CreateRunAsync(_run);

        var map = new float[Size * Size];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) map[y * Size + x] = InBlock(x, y) ? 1f : 0f;
        using var store = ObjectStoreFactory.FromEnvironment.Open(_results.Path);
        foreach (var key in Keys)
            await store.WriteAsync(ResultKeys.ImageMap(_run.Id, Method, key), NpyFile.ToBytes(map, [Size, Size]));

        var rows = Keys.Select((k, i) => { var r = RowFactory.Result(k, Method, i); r.Label = 0; r.Predicted = 0; return r; }).ToList();
        var leftHalf = FieldOfView.FromMask(Size, Size, Enumerable.Range(0, Size * Size).Select(i => i % Size < 50).ToArray());
        await _db.Store.SaveBatchAsync(_run.Id, Keys, rows, [],
            [
                Row("a.png", FieldOfView.Disc(Size, Size, 30, 50, 20)),
                Row("b.png", leftHalf),
                // c.png: none stored, as for an image too dark to find one in
            ]);
        var aggregate = RowFactory.Aggregate(0, 0);
        (aggregate.RoiX0, aggregate.RoiY0, aggregate.RoiX1, aggregate.RoiY1) = (60, 40, 89, 59);
        await _db.Store.ReplaceClassAggregatesAsync(_run.Id, Method, [aggregate]);
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        _results.Dispose();
        return Task.CompletedTask;
    }

    private static ImageFieldOfViewRow Row(string key, FieldOfView fov) => new()
    {
        ImageKey = key, Kind = FieldOfView.NameOf(fov.Kind), Height = fov.Height, Width = fov.Width,
        CenterX = fov.CenterX, CenterY = fov.CenterY, Radius = fov.Radius, InsideFraction = fov.InsideFraction, Mask = fov.PackedMask,
    };

    private async Task<Dictionary<string, AuditFindingRow>> AuditAsync()
    {
        await new ArtefactAuditor(_db.Store).AuditAsync(_run, CancellationToken.None);
        return (await _db.Store.AuditFindingsAsync(_run.Id)).ToDictionary(f => f.Kind);
    }

    private static JsonElement Evidence(AuditFindingRow f) => JsonDocument.Parse(f.EvidenceJson).RootElement;

    [Fact]
    public async Task Stored_fields_of_view_are_used_and_an_image_without_one_falls_back_to_the_inscribed_disc()
    {
        var findings = await AuditAsync();

        var outside = findings["outside_fov_mass"];
        Assert.Equal(2.0 / 3, Evidence(outside).GetProperty("value").GetDouble(), 1e-12);   // a and b: 1, c: 0
        Assert.Equal(2.0 / 3, Evidence(findings["roi_outside_fov"]).GetProperty("value").GetDouble(), 1e-12);
        var kinds = Evidence(outside).GetProperty("field_of_view");
        Assert.Equal((1, 1, 1), (kinds.GetProperty("detected_disc").GetInt32(), kinds.GetProperty("detected_foreground").GetInt32(), kinds.GetProperty("inscribed_disc").GetInt32()));
        Assert.Contains("1 of 3 images had no detected field of view", outside.Message);
        var top = Evidence(outside).GetProperty("top_images").EnumerateArray().Select(e => e.GetProperty("image").GetString()).ToList();
        Assert.Equal("c.png", top[^1]); // the one measured against the inscribed disc has nothing outside
        Assert.Equal("critical", outside.Severity);
    }

    [Fact]
    public async Task A_run_made_before_detection_is_audited_against_the_inscribed_disc_as_before()
    {
        await using (var db = _db.Open())
            await db.Database.ExecuteSqlRawAsync("DELETE FROM image_fields_of_view");

        var findings = await AuditAsync();

        var outside = findings["outside_fov_mass"];
        Assert.Equal(0.0, Evidence(outside).GetProperty("value").GetDouble(), 1e-12);
        Assert.Equal(0.0, Evidence(findings["roi_outside_fov"]).GetProperty("value").GetDouble(), 1e-12);
        Assert.Equal(3, Evidence(outside).GetProperty("field_of_view").GetProperty("inscribed_disc").GetInt32());
        Assert.Contains("3 of 3 images had no detected field of view", outside.Message);
        Assert.Equal("info", outside.Severity);
    }
}
