using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using BatchXai.Worker;

namespace BatchXai.Bench;

/// <summary>
/// Where one benchmark phase's time went: the worker's stage durations (summed from
/// batchxai.worker.stage.duration, per image), the CPU milliseconds per image of this process and of
/// the services it talks to (s3rver, PostgreSQL, RabbitMQ, read from /proc), and how long the pipeline
/// took to fill and drain. On a shared machine the rates move with the load; CPU per image much less.
/// </summary>
internal sealed class PhaseProfile : IDisposable
{
    public const string Bench = "bench";
    private static readonly string[] StageOrder =
        [WorkerMetrics.Stages.Read, WorkerMetrics.Stages.Decode, WorkerMetrics.Stages.Model, WorkerMetrics.Stages.Methods, WorkerMetrics.Stages.Writes, WorkerMetrics.Stages.Database];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _stages = new();
    private readonly Dictionary<int, (string Name, double Seconds)> _cpuAtStart;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    // Seconds from the phase's start to the first stage beginning and to the last one ending: the fill and drain around the batches.
    private double _firstStage = double.NaN, _lastStage;

    private PhaseProfile()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, WorkerMetrics.StageDuration)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string stage = "?";
            foreach (var tag in tags) if (tag.Key == "stage") stage = (string)tag.Value!;
            _stages.AddOrUpdate(stage, value, (_, sum) => sum + value);
            double now = _clock.Elapsed.TotalSeconds;
            lock (_stages)
            {
                if (double.IsNaN(_firstStage)) _firstStage = now - value;
                _lastStage = Math.Max(_lastStage, now);
            }
        });
        _listener.Start();
        _cpuAtStart = CpuSeconds();
    }

    public static PhaseProfile Start() => new();

    /// <summary>
    /// The phase so far. CPU is counted per process: one that started during the phase counts whole,
    /// one that ended during it (a closed PostgreSQL connection) is left out.
    /// </summary>
    public PhaseReport Report(string phase, int images)
    {
        var cpu = new Dictionary<string, double> { [Bench] = 0, ["s3rver"] = 0, ["postgres"] = 0, ["rabbitmq"] = 0 };
        foreach (var (pid, now) in CpuSeconds())
            cpu[now.Name] += now.Seconds - (_cpuAtStart.TryGetValue(pid, out var then) ? then.Seconds : 0);
        var stages = StageOrder.ToDictionary(s => s, s => _stages.GetValueOrDefault(s) / images * 1000);
        return new PhaseReport(phase, images, _clock.Elapsed.TotalSeconds, _firstStage, _lastStage, stages, cpu);
    }

    /// <param name="CpuSeconds">CPU seconds in the phase by process: this one (<see cref="Bench"/>) and the services.</param>
    public sealed record PhaseReport(string Phase, int Images, double Seconds, double FirstStage, double LastStage,
        IReadOnlyDictionary<string, double> StageMsPerImage, IReadOnlyDictionary<string, double> CpuSeconds)
    {
        /// <summary>This process's CPU milliseconds per image.</summary>
        public double Own => CpuSeconds[Bench] / Images * 1000;

        /// <summary>The services' CPU seconds per second: what other users of the shared services cost while this phase did not use them.</summary>
        public double ServicesPerSecond => ServiceSeconds / Seconds;

        /// <summary>The services' CPU milliseconds per image, less <paramref name="background"/> (CPU seconds per second) over the phase.</summary>
        public double Services(double background) => Math.Max(0, ServiceSeconds - background * Seconds) / Images * 1000;

        private double ServiceSeconds => CpuSeconds.Where(p => p.Key != Bench).Sum(p => p.Value);

        public override string ToString() =>
            $"  {Phase,-12} stage ms/image (summed over concurrent work): {string.Join(" ", StageMsPerImage.Select(s => $"{s.Key} {s.Value:F1}"))}\n" +
            $"  {"",-12} CPU ms/image: {string.Join(" ", CpuSeconds.Select(p => $"{p.Key} {p.Value / Images * 1000:F1}"))}\n" +
            $"  {"",-12} first stage began at {FirstStage:F2} s, last ended at {LastStage:F2} s, phase {Seconds:F2} s";
    }

    /// <summary>CPU seconds (user + system) so far of this process and of the services' processes, by process id.</summary>
    private static Dictionary<int, (string Name, double Seconds)> CpuSeconds()
    {
        const double ticksPerSecond = 100; // USER_HZ on Linux
        var totals = new Dictionary<int, (string, double)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                string? name = pid == Environment.ProcessId ? Bench
                    : cmdline.Contains("s3rver") && cmdline.Contains("--port 4569") ? "s3rver"
                    : cmdline.StartsWith("postgres") ? "postgres"
                    : cmdline.Contains("beam.smp") && cmdline.Contains("/var/lib/rabbitmq") ? "rabbitmq" : null;
                if (name is null) continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                totals[pid] = (name, (long.Parse(fields[11]) + long.Parse(fields[12])) / ticksPerSecond); // utime, stime
            }
            catch (IOException) { } // the process ended meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return totals;
    }

    public void Dispose() => _listener.Dispose();
}
