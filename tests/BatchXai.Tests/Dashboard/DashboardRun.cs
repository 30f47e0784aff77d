using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Dashboard;
using BatchXai.Dashboard.Access;
using BatchXai.Http.Access;
using BatchXai.Imaging;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using BatchXai.Synthetic;
using BatchXai.Tests.Localisation;
using Microsoft.AspNetCore.Builder;

namespace BatchXai.Tests.Dashboard;

/// <summary>
/// A finished small demo run (the bundled grader, CRM and CAM, deletion and insertion metrics, on
/// synthetic fundus photos with two broken files; most images of grade 0, so that SpRAy has a class
/// to cluster) made with the embedded runner, plus a CLEAR-style composite and legend written beside
/// its maps, and the dashboard serving it on a free loopback port with credentials. Before it, a run
/// of the shortcut grader on the same dataset (<see cref="Comparison"/>), for the run comparison.
/// Shared by the dashboard tests (class fixture of a collection).
/// </summary>
public sealed class DashboardRun : IAsyncLifetime
{
    public const int Images = 48;
    public const string ApiKey = "test-key-3f1c";
    public const string User = "reader";
    public const string Password = "pw-9d2e";

    public string Root { get; } = Directory.CreateTempSubdirectory("batchxai-dashboard-").FullName;
    public string Data => Path.Combine(Root, "data");
    public string Out => Path.Combine(Root, "out");
    public string Database => Path.Combine(Out, "batchxai.db");
    public RunRow Run { get; private set; } = null!;
    /// <summary>The older run of the same dataset by the shortcut grader.</summary>
    public RunRow Comparison { get; private set; } = null!;
    public ResultStore Store { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>The key of the image that got a CLEAR-style composite picture.</summary>
    public string CompositeImage { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // Grade 0 holds about half the images: at least SpRAy's 12 per class among the correctly classified.
        SampleDatasetWriter.Write(Data, Images, seed: 11, new SampleDataOptions { GradeWeights = [0.5, 0.1, 0.15, 0.15, 0.1] });
        var images = Path.Combine(Data, SampleDatasetWriter.ImagesFolder);
        var broken = Directory.GetFiles(images).Order(StringComparer.Ordinal).Take(2).ToArray();
        File.WriteAllBytes(broken[0], []);
        File.WriteAllBytes(broken[1], File.ReadAllBytes(broken[1])[..300]);
        Mislabel(Path.Combine(Data, SampleDatasetWriter.LabelsFile), every: 5);

        var comparison = await EmbeddedRunner.RunAsync(new RunArguments(Data, PointingGameTests.BundledModel("shortcut_grader.json"), "crm,cam", Out),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, comparison.Run?.Status);
        Comparison = comparison.Run!;
        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(Data, PointingGameTests.BundledModel("dr_grader.json"), "crm,cam", Out,
            MethodOptions: new Dictionary<string, string> { ["metrics"] = "deletion,insertion", ["metric-steps"] = "4" }),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, outcome.Run?.Status);
        Run = outcome.Run!;
        Store = new ResultStore(await SqliteDatabase.OpenAsync(Database));

        // Another method's extra pictures (as CLEAR writes them): one image's composite and a run-level legend.
        CompositeImage = (await Store.ResultsAsync(Run.Id, "crm")).First().ImageKey;
        using var store = new LocalFolderStore(Out);
        var picture = PngEncoder.Encode(new RgbImage(8, 8));
        await store.WriteAsync(ResultKeys.ImageStem(Run.Id, "clear", CompositeImage) + ".composite.png", picture);
        await store.WriteAsync($"{ResultKeys.RunFolder(Run.Id)}/clear/legend.png", PngEncoder.Encode(Legend()));

        App = await DashboardApp.BuildAsync(new DashboardOptions
        {
            Database = Database, Port = 0,
            Access = new ApiAccess { ApiKey = ApiKey, User = User, Password = Password },
        });
        await App.StartAsync();
        BaseAddress = new Uri(App.Urls.Single());
    }

    /// <summary>A legend as small as CLEAR's palette strip: 12×4 pixels, a colour per column.</summary>
    private static RgbImage Legend()
    {
        var legend = new RgbImage(12, 4);
        for (int x = 0; x < legend.Width; x++)
            for (int y = 0; y < legend.Height; y++)
                legend.Set(x, y, (byte)(20 * x), (byte)(255 - 20 * x), 128);
        return legend;
    }

    /// <summary>Shifts every n-th image's label by two grades: the grader then disagrees with it, so the browser has wrong predictions to filter.</summary>
    private static void Mislabel(string labels, int every)
    {
        var lines = File.ReadAllLines(labels);
        for (int i = 1; i < lines.Length; i += every)
        {
            var fields = lines[i].Split(',');
            lines[i] = $"{fields[0]},{(int.Parse(fields[1]) + 2) % 5}";
        }
        File.WriteAllLines(labels, lines);
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    /// <summary>A client that sends the API key (or nothing, or a wrong one).</summary>
    public HttpClient Client(string? apiKey = ApiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null) client.DefaultRequestHeaders.Add(ApiAccess.ApiKeyHeader, apiKey);
        return client;
    }

    /// <summary>GET a JSON answer, failing with the status and body when it is not a success.</summary>
    public static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>GET a file's bytes, failing with the status when it is not a success.</summary>
    public static async Task<byte[]> GetBytesAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    public HttpClient BasicClient(string user, string password)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardRun>
{
    public const string Name = "dashboard";
}
