using System.Text.Json;
using BatchXai.Imaging;
using BatchXai.Tests.Backward.Conformance;

namespace BatchXai.Tests.MultiLabel;

/// <summary>
/// The multi-label (one sigmoid per finding) net, its 8-image labelled dataset and torch/numpy references, exported by
/// export_multilabel_net.py into .work/multilabel (or $BATCHXAI_MULTILABEL_DIR; redone when the script's SHA-256 changes).
/// </summary>
public sealed class MultiLabelExports
{
    private const string Script = "tests/BatchXai.Tests/MultiLabel/export_multilabel_net.py";

    public static readonly string[] Findings = ["Atelectasis", "Effusion", "Nodule", "Pneumothorax"];

    public MultiLabelExports()
    {
        Folder = PythonExports.Ensure(Script, "multilabel", "BATCHXAI_MULTILABEL_DIR");
        using var keys = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "keys.json")));
        Keys = [.. keys.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!)];
        Labelled = [.. keys.RootElement.GetProperty("labelled").EnumerateArray().Select(l => l.EnumerateArray().Select(f => f.GetInt32()).ToArray())];
        Probabilities = Array("probabilities");
    }

    public string Folder { get; }
    public string Manifest => Path.Combine(Folder, "model.json");
    public string Data => Path.Combine(Folder, "data");
    public string[] Keys { get; }
    public int[][] Labelled { get; }

    /// <summary>torch float64 sigmoid probabilities, images × findings.</summary>
    public NpyArray Probabilities { get; }

    public double Probability(int image, int finding) => Probabilities.Data[image * Findings.Length + finding];

    public NpyArray Array(string name) => NpyFile.Read(File.ReadAllBytes(Path.Combine(Folder, name + ".npy")));

    /// <summary>numpy's map of one image for one finding ("cam" or "crm", [images, findings, u, v]).</summary>
    public double[] Reference(string name, int image, int finding)
    {
        var a = Array(name);
        int size = a.Shape[2] * a.Shape[3];
        return [.. a.Data.Skip((image * a.Shape[1] + finding) * size).Take(size).Select(v => (double)v)];
    }

    /// <summary>What --target predicted explains under <paramref name="threshold"/>, by torch's probabilities: each finding at
    /// or above it, else the most probable one.</summary>
    public HashSet<(string Key, int Finding)> PredictedPairs(double threshold)
    {
        var pairs = new HashSet<(string, int)>();
        for (int i = 0; i < Keys.Length; i++)
        {
            var present = Enumerable.Range(0, Findings.Length).Where(f => Probability(i, f) >= threshold).ToList();
            if (present.Count == 0) present.Add(Enumerable.Range(0, Findings.Length).MaxBy(f => Probability(i, f)));
            foreach (var f in present) pairs.Add((Keys[i], f));
        }
        return pairs;
    }
}
