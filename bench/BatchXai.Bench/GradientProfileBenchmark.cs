using System.CommandLine;
using System.Text.Json;
using BatchXai.Core.Gradients;
using BatchXai.Onnx.Backward;
using BatchXai.Onnx.Model;
using BatchXai.Onnx.Runtime;

namespace BatchXai.Bench;

/// <summary>
/// Where a forward + input-gradient pass spends its time: runs the gradient session with ONNX
/// Runtime's profiler on, then sums the per-node kernel times of the trace by op type, split into
/// the forward graph and the appended backward nodes (named batchxai_grad/…), largest first.
/// </summary>
public static class GradientProfileBenchmark
{
    private const int Batch = 16;

    public static Command Command()
    {
        var manifest = new Option<string>("--model") { Description = "Model manifest (e.g. .work/bench/resnet50.json, models/dr_grader.json)", Required = true };
        var passes = new Option<int>("--passes") { Description = "Profiled gradient passes of one batch (after one warm-up pass, which is left out)", DefaultValueFactory = _ => 3 };
        var top = new Option<int>("--top") { Description = "Rows to print", DefaultValueFactory = _ => 20 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: its default; 1 keeps a loaded machine's thread scheduling out of node times)", DefaultValueFactory = _ => 0 };
        var nodes = new Option<int>("--nodes") { Description = "Also list the slowest single nodes (name, input and output shapes)", DefaultValueFactory = _ => 0 };
        var command = new Command("profile-gradient", "ONNX Runtime profile of the forward + input-gradient graph, summed by op type") { manifest, passes, top, threads, nodes };
        command.SetAction(parse => Run(parse.GetValue(manifest)!, parse.GetValue(passes), parse.GetValue(top), parse.GetValue(threads), parse.GetValue(nodes)));
        return command;
    }

    private static int Run(string manifestPath, int passes, int top, int threads, int nodes)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"batchxai-profile-{Guid.NewGuid():N}");
        using (var model = ExplainableModel.Load(manifestPath, new OrtSessionOptions { ProfilePrefix = prefix, IntraOpThreads = threads }, maxBatch: Batch, PreparedModelCache.Disabled))
        {
            var input = new float[Batch * model.SampleSize];
            var random = new Random(42);
            for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
            var seeds = new float[Batch * model.Head.Classes];
            for (int i = 0; i < Batch; i++) seeds[i * model.Head.Classes] = 1f;
            for (int p = 0; p < passes + 1; p++) model.Gradients.Compute(input, Batch, seeds, GradientRule.Exact, false);
            for (int p = 0; p < passes + 1; p++) model.Forward(input, Batch);
        }
        // Every session of the model wrote a trace: the gradient session's has backward nodes, the
        // forward session's (features exposed, the worker's inference) is the largest of the others.
        var traces = Directory.GetFiles(Path.GetDirectoryName(prefix)!, Path.GetFileName(prefix) + "*.json");
        var gradient = traces.FirstOrDefault(t => File.ReadAllText(t).Contains("batchxai_grad/")) ?? throw new InvalidOperationException("no gradient trace written");
        var forward = traces.Where(t => t != gradient).OrderByDescending(t => new FileInfo(t).Length).FirstOrDefault();
        Summarise($"{manifestPath} forward + input gradient", gradient, top, nodes);
        if (forward is not null) Summarise($"{manifestPath} forward with features (the worker's inference)", forward, top / 2, nodes / 2);
        foreach (var t in traces) File.Delete(t);
        return 0;
    }

    private static void Summarise(string title, string trace, int top, int topNodes)
    {
        var sums = new Dictionary<(string Part, string Op), (double Us, int Nodes)>();
        var nodes = new Dictionary<string, (double Us, string Shapes)>();
        double total = 0;
        int runs = 0;
        using (var doc = JsonDocument.Parse(File.ReadAllText(trace)))
        {
            // The first run is a warm-up (first touch of the arena's pages, kernel choice): left out.
            var warmUpEnd = doc.RootElement.EnumerateArray()
                .Where(e => e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
                .Select(e => e.GetProperty("ts").GetDouble() + e.GetProperty("dur").GetDouble()).DefaultIfEmpty(0).Min();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.GetProperty("ts").GetDouble() <= warmUpEnd) continue;
                if (e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run") runs++;
                if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                var name = e.GetProperty("name").GetString()!;
                var op = e.GetProperty("args").TryGetProperty("op_name", out var o) ? o.GetString()! : "?";
                var part = name.Contains("batchxai_grad", StringComparison.Ordinal) ? "backward" : "forward";
                double us = e.GetProperty("dur").GetDouble();
                var seen = nodes.TryGetValue(name, out var n);
                nodes[name] = ((seen ? n.Us : 0) + us, seen ? n.Shapes : Shapes(e.GetProperty("args")));
                sums[(part, op)] = sums.TryGetValue((part, op), out var s) ? (s.Us + us, s.Nodes + 1) : (us, 1);
                total += us;
            }
        }
        runs = Math.Max(1, runs);
        Console.WriteLine($"{title}: batch {Batch}, kernel time per run {total / runs / 1000:F1} ms (averaged over {runs} runs)");
        Console.WriteLine($"{"part",-9} {"op",-28} {"ms/run",9} {"share",7} {"nodes/run",10}");
        foreach (var part in new[] { "forward", "backward" })
        {
            double partUs = sums.Where(s => s.Key.Part == part).Sum(s => s.Value.Us);
            if (partUs > 0) Console.WriteLine($"{part,-9} {"(all)",-28} {partUs / runs / 1000,9:F1} {partUs / total,7:P1}");
        }
        foreach (var ((part, op), (us, count)) in sums.OrderByDescending(s => s.Value.Us).Take(top))
            Console.WriteLine($"{part,-9} {op,-28} {us / runs / 1000,9:F1} {us / total,7:P1} {(double)count / runs,10:F0}");
        if (topNodes > 0) Console.WriteLine("slowest nodes, ms/run (nodes ONNX Runtime inserts, such as ReorderOutput, count as forward above whichever part they serve):");
        foreach (var (name, (us, shapes)) in nodes.OrderByDescending(n => n.Value.Us).Take(topNodes))
            Console.WriteLine($"{us / runs / 1000,9:F1}  {name[..^"_kernel_time".Length]} {shapes}");
    }

    private static string Shapes(JsonElement args)
    {
        string Of(string property) => args.TryGetProperty(property, out var s) ? s.GetRawText() : "?";
        return $"{Of("input_type_shape")} -> {Of("output_type_shape")}";
    }
}
