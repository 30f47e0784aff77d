using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Manifest;

/// <summary>
/// Checks a manifest against the ONNX graph it names, so a wrong manifest fails a run at
/// start rather than in the middle of it. Collects every problem and throws one
/// <see cref="ManifestException"/> that lists each field at fault.
/// </summary>
public static class ManifestValidator
{
    public static void Validate(ModelManifest manifest, OnnxGraph graph)
    {
        var problems = new List<ManifestProblem>();
        CheckInput(manifest, graph, problems);
        CheckLogits(manifest, graph, problems);
        CheckTargetLayer(manifest, graph, problems);
        CheckClassMaps(manifest, graph, problems);
        if (problems.Count > 0)
            throw new ManifestException(manifest.ManifestPath, problems);
    }

    private static void CheckInput(ModelManifest manifest, OnnxGraph graph, List<ManifestProblem> problems)
    {
        var input = manifest.Input;
        var graphInput = graph.Inputs.FirstOrDefault(i => i.Name == input.Name);
        if (graphInput is null)
        {
            problems.Add(new("input.name", $"is '{input.Name}' but the model's inputs are: {Quoted(graph.Inputs.Select(i => i.Name))}"));
            return;
        }
        if (graphInput.ElementType != TensorProto.Types.DataType.Float)
            problems.Add(new("input.name", $"names input '{input.Name}' of type {graphInput.ElementType}, but BatchXai feeds float32"));
        if (graphInput.Dims is not { } dims)
            return; // rank not declared: nothing more to compare
        if (dims.Count != 4)
        {
            problems.Add(new("input.name", $"names input '{input.Name}' of rank {dims.Count} ({graphInput}), but an image input has rank 4"));
            return;
        }

        var (channelAxis, heightAxis, widthAxis) = input.Layout == TensorLayout.Nchw ? (1, 2, 3) : (3, 1, 2);
        var layoutName = ManifestNames.Of(ManifestNames.Layouts, input.Layout);
        if (Disagrees(dims[channelAxis], input.ChannelCount))
        {
            var otherAxis = input.Layout == TensorLayout.Nchw ? 3 : 1;
            var hint = dims[otherAxis].Value == input.ChannelCount ? $" (is input.layout really {layoutName}?)" : "";
            problems.Add(new("input.channels",
                $"is {ManifestNames.Of(ManifestNames.Channels, input.Channels)} ({input.ChannelCount} channel(s)) but dim {channelAxis} (channels in {layoutName}) of '{input.Name}' is {dims[channelAxis]}{hint}"));
        }
        if (Disagrees(dims[heightAxis], input.Height))
            problems.Add(new("input.size", $"height is {input.Height} but dim {heightAxis} (height in {layoutName}) of '{input.Name}' is {dims[heightAxis]}"));
        if (Disagrees(dims[widthAxis], input.Width))
            problems.Add(new("input.size", $"width is {input.Width} but dim {widthAxis} (width in {layoutName}) of '{input.Name}' is {dims[widthAxis]}"));
    }

    private static void CheckLogits(ModelManifest manifest, OnnxGraph graph, List<ManifestProblem> problems)
    {
        var logits = manifest.Outputs.Logits;
        var isOutput = graph.Outputs.Any(o => o.Name == logits);
        // An intermediate tensor is acceptable: the worker exposes it as an output.
        if (!isOutput && graph.Producer(logits) is null)
        {
            problems.Add(new("outputs.logits", $"is '{logits}' but the model's outputs are: {Quoted(graph.Outputs.Select(o => o.Name))}"));
            return;
        }
        if (graph.ValueInfos.GetValueOrDefault(logits)?.Dims is { Count: > 0 } dims && dims[^1].IsStatic
            && dims[^1].Value != manifest.Classes.Count)
            problems.Add(new("classes", $"has {manifest.Classes.Count} name(s) but output '{logits}' has {dims[^1].Value} scores (its last dim)"));
    }

    private static void CheckTargetLayer(ModelManifest manifest, OnnxGraph graph, List<ManifestProblem> problems)
    {
        if (graph.Producer(manifest.TargetLayer) is not null)
            return;
        problems.Add(new("targetLayer",
            $"is '{manifest.TargetLayer}' but no node produces that tensor; candidates: {Quoted(graph.SuggestTensors(manifest.TargetLayer))}"));
    }

    private static void CheckClassMaps(ModelManifest manifest, OnnxGraph graph, List<ManifestProblem> problems)
    {
        if (manifest.Outputs.ClassMaps is not { } classMaps || graph.Producer(classMaps) is not null)
            return;
        problems.Add(new("outputs.classMaps",
            $"is '{classMaps}' but no node produces that tensor; candidates: {Quoted(graph.SuggestTensors(classMaps))}"));
    }

    private static bool Disagrees(TensorDim dim, int expected) => dim.IsStatic && dim.Value != expected;

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
