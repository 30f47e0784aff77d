using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;
using BatchXai.Distributed.Schedules;
using BatchXai.Storage.Objects;
using BatchXai.Synthetic;
using BatchXai.Tests.Graph;
using BatchXai.Tests.Model;
using BatchXai.Tests.Storage;
using Xunit.Abstractions;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// Two coordinator processes on one PostgreSQL database share a schedule (Hangfire recurring
/// jobs in the database's hangfire schema): every cron occurrence fires once, on one of them.
/// No workers: the first firing's run stays running, so the later firings skip; every firing
/// still logs its outcome once, which is what is counted.
/// </summary>
public sealed class SharedScheduleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int IntervalSeconds = 5;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly PostgresTestDatabase _database = new();
    private readonly S3TestBucket _bucket = new();
    private readonly string _prefix = $"h{Guid.NewGuid():N}"[..9] + "-";
    private readonly List<ServiceProcess> _coordinators = [];
    private FixtureModel? _model;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        await _bucket.InitializeAsync();
        _model = new FixtureModel(GraphFixtures.GapLinear, fundusCrop: true);
    }

    [Fact]
    public async Task Two_coordinators_fire_each_occurrence_of_a_shared_schedule_once()
    {
        using var data = new TempFolder("shared-schedule");
        SampleDatasetWriter.Write(data.Path, 2, seed: 5, new SampleDataOptions { Size = 96 });
        using (var store = _bucket.Store("incoming"))
            foreach (var file in Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/masks/")))
                await store.WriteAsync(Path.GetRelativePath(data.Path, file), await File.ReadAllBytesAsync(file));

        string key = $"key-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>(DistributedServices.ServiceEnvironment(_database.ConnectionString, _prefix, _bucket.Name, key))
        {
            ["BATCHXAI_MODELS_DIR"] = _model!.Folder,
            [$"BATCHXAI_{RequestLimits.ModelsSetting}"] = _model.Folder,
            // Due firings are looked for every second: a cron with seconds fires on time.
            ["BATCHXAI_SCHEDULE_POLL"] = "1s",
        };
        for (int i = 1; i <= 2; i++)
        {
            int port = ServiceProcess.FreePort();
            _coordinators.Add(new ServiceProcess($"coordinator{i}", port, environment, "coordinator", "--port", port.ToString()));
        }
        await Task.WhenAll(_coordinators.Select(c => c.WaitHealthyAsync(TimeSpan.FromMinutes(3))));

        using var client = new CoordinatorClient(new Uri($"http://127.0.0.1:{_coordinators[0].Port}"), key);
        string name = $"every-{IntervalSeconds}s-{Guid.NewGuid():N}";
        var schedule = await client.CreateScheduleAsync(new CreateScheduleRequest(name, $"*/{IntervalSeconds} * * * * *",
            new StartRunRequest($"s3://{_bucket.Name}/incoming", _model.ManifestPath, ["cam"], BatchSize: 16)));
        var created = DateTime.UtcNow;
        // The other coordinator sees the schedule, with its next firing, through the shared storage.
        using (var other = new CoordinatorClient(new Uri($"http://127.0.0.1:{_coordinators[1].Port}"), key))
            Assert.NotNull((await other.ScheduleAsync(schedule.Id)).NextFireAt);
        await Task.Delay(Window);
        // SIGTERM: Hangfire lets a firing in progress finish before the process exits.
        foreach (var c in _coordinators) c.Terminate();
        foreach (var c in _coordinators) await c.WaitForExitAsync(TimeSpan.FromMinutes(1));
        double observed = (DateTime.UtcNow - created).TotalSeconds;

        var firings = _coordinators.SelectMany(c => FiringLines(c.Output, name).Select(l => (c.Name, Line: l))).ToList();
        string jobId = ScheduleService.JobIdOf(schedule.Id);
        var jobs = await _database.QueryAsync(
            $"SELECT j.id, t.value FROM {ScheduleSettings.Schema}.job j JOIN {ScheduleSettings.Schema}.jobparameter r ON r.jobid = j.id AND r.name = 'RecurringJobId' " +
            $"JOIN {ScheduleSettings.Schema}.jobparameter t ON t.jobid = j.id AND t.name = 'Time' WHERE r.value = @id",
            r => (Id: r.GetInt64(0), Time: r.GetString(1)), ("id", $"\"{jobId}\""));
        var runs = await _database.QueryAsync("SELECT COUNT(*) FROM runs WHERE schedule_id = @id", r => r.GetInt64(0), ("id", schedule.Id));
        int expected = (int)(observed / IntervalSeconds);
        output.WriteLine($"{observed:F0} s of a */{IntervalSeconds} s schedule on two coordinators: {firings.Count} firings " +
            $"({string.Join(", ", _coordinators.Select(c => $"{c.Name} {firings.Count(f => f.Name == c.Name)}"))}), " +
            $"{jobs.Count} Hangfire jobs for {jobs.Select(j => j.Time).Distinct().Count()} distinct occurrences, {runs.Single()} run(s) started; about {expected} occurrences");
        foreach (var f in firings) output.WriteLine($"  {f.Name}: {f.Line}");
        var states = await _database.QueryAsync($"SELECT statename, COUNT(*) FROM {ScheduleSettings.Schema}.job GROUP BY statename", r => $"{r.GetString(0)} {r.GetInt64(1)}");
        output.WriteLine($"Hangfire job states: {string.Join(", ", states)}");
        foreach (var c in _coordinators)
            foreach (var line in c.Output.Split('\n').Where(l => l.Contains("warn:") || l.Contains("fail:")))
                output.WriteLine($"  {c.Name}: {line}");

        Assert.Equal(jobs.Count, jobs.Select(j => j.Time).Distinct().Count()); // no occurrence enqueued twice
        Assert.Equal(jobs.Count, firings.Count);                                  // each job run once
        Assert.InRange(firings.Count, expected - 3, expected + 1);                 // and none missed (a loaded machine may start a few late)
        Assert.Equal(1, runs.Single());
        // The first firing started the run; every later one found it still running (or starting).
        var outcomes = firings.Select(f => FiringOutcome(f.Line, name)).ToList();
        Assert.Single(outcomes, o => o.StartsWith("run ", StringComparison.Ordinal));
        Assert.All(outcomes, o => Assert.True(o.StartsWith("run ", StringComparison.Ordinal) || o.StartsWith("skipped: ", StringComparison.Ordinal), o));
        Assert.DoesNotContain(_coordinators, c => c.Output.Contains("fail: Hangfire", StringComparison.Ordinal));
    }

    private static IEnumerable<string> FiringLines(string output, string name) =>
        output.Split('\n').Where(l => l.Contains($"schedule {name}: ", StringComparison.Ordinal));

    private static string FiringOutcome(string line, string name) => line[(line.IndexOf($"schedule {name}: ", StringComparison.Ordinal) + $"schedule {name}: ".Length)..];

    public async Task DisposeAsync()
    {
        foreach (var c in _coordinators) c.Dispose();
        await BrokerQueues.DeleteAsync(DistributedServices.RabbitMq(_prefix), RabbitMqSettings.DefaultRedeliveryIntervals);
        _model?.Dispose();
        await _bucket.DisposeAsync();
        await _database.DisposeAsync();
    }
}
