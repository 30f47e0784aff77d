using BatchXai.Onnx.Backward.Rules;
using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Graph.Upgrade;
using BatchXai.Onnx.Proto;

namespace BatchXai.Onnx.Backward;

/// <summary>
/// Appends to a classifier's ONNX graph, as ordinary ONNX nodes, the reverse-mode derivative of
/// seed · logits with respect to the graph input and (optionally) a target layer — so ONNX
/// Runtime, which runs inference graphs only, computes gradients for Grad-CAM, saliency, IG,
/// guided backprop and deconvnet (CLEAR) maps. The source model is left untouched.
/// </summary>
public static class BackwardGraphBuilder
{
    /// <summary>Extra input: [batch, N], the weights of the logits (e.g. one-hot of the target class); see <see cref="SeedSignal"/> for the other meaning.</summary>
    public const string SeedInput = "batchxai_seed";

    /// <summary>Extra output: ∂(seed·S)/∂input, shaped like the input.</summary>
    public const string InputGradOutput = "batchxai_input_grad";

    /// <summary>Extra output when a target layer is given: ∂(seed·S)/∂A, shaped like A (A itself is exposed under its own name).</summary>
    public const string TargetGradOutput = "batchxai_target_grad";

    /// <summary>The ops (default ONNX domain) the builder differentiates.</summary>
    public static IReadOnlyCollection<string> SupportedOps => (IReadOnlyCollection<string>)OpGradients.Table.Keys;

    /// <summary>The oldest default-domain opset handled; older models (from <see cref="OpsetUpgrader.OldestSupportedOpset"/>) are upgraded in memory first.</summary>
    public const long MinimumOpset = OpsetUpgrader.TargetOpset;

    /// <exception cref="OnnxGraphException">A named tensor is missing or not on a path from the input to the logits.</exception>
    /// <exception cref="UnsupportedOpException">A node on that path has no backward rule.</exception>
    public static ModelProto Build(ModelProto model, BackwardOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        // Rules are written for the opset-13 forms; an older model is upgraded in memory (a no-op from 13 on).
        var exportedOpset = OpsetUpgrader.SourceOpset(model);
        model = OpsetUpgrader.Upgrade(model).Model;
        var opset = OpsetUpgrader.DefaultOpset(model);

        var target = options.TargetLayer;
        Validate(new GraphIndex(model.Graph ?? throw new OnnxGraphException("the ONNX model has no graph")), options);
        // The logits may be an internal tensor (say, the input of the model's final Softmax): expose it too.
        var edited = GraphEditor.ExposeOutputs(model, target is null ? [options.LogitsName] : [options.LogitsName, target]);
        var graph = edited.Graph;
        var index = new GraphIndex(graph);
        var path = new DifferentiablePath(index, options.InputName, options.LogitsName);
        if (!path.Contains(options.LogitsName))
            throw new OnnxGraphException($"'{options.LogitsName}' does not depend differentiably on input '{options.InputName}'");
        if (target is not null && !path.Contains(target))
            throw new OnnxGraphException(
                $"target layer '{target}' is not on a path from '{options.InputName}' to '{options.LogitsName}' — it gets no gradient");

        var forwardNodes = graph.Node.ToArray();
        var emitter = new GradientEmitter(graph, index, index.ElementTypes.Resolve(options.LogitsName), opset) { ExportedOpset = exportedOpset };
        var grads = new GradientAccumulator(emitter);
        var relevanceRules = RelevanceRuleSet.For(options, graph, index, emitter); // LRP and DeepLIFT; null for gradient rules
        if (options.Seed == SeedSignal.RectifiedActivations)
        {
            graph.Input.Add(ChannelSeedValueInfo(graph, options.LogitsName, emitter.FloatType));
            grads.Add(options.LogitsName, RectifiedActivationSignal(emitter, index, options.LogitsName));
        }
        else
        {
            graph.Input.Add(SeedValueInfo(graph, options.LogitsName, emitter.FloatType));
            grads.Add(options.LogitsName, SeedInput);
        }

        foreach (var node in forwardNodes.Reverse().Where(path.Contains))
            Differentiate(node, path, grads, emitter, options.Rule, relevanceRules);

        AddGradientOutput(graph, emitter, grads, options.InputName, InputGradOutput, relevanceRules is null ? null : relevanceRules.InputOutput);
        if (target is not null)
            AddGradientOutput(graph, emitter, grads, target, TargetGradOutput);
        RaiseOpset(edited, emitter.RequiredOpset);
        return edited;
    }

    private static void Differentiate(NodeProto node, DifferentiablePath path, GradientAccumulator grads, GradientEmitter emitter, GradientRule rule,
        RelevanceRuleSet? relevanceRules)
    {
        var outputGrads = node.Output.Select(o => path.Contains(o) ? grads.Total(o) : null).ToArray();
        if (outputGrads.All(g => g is null))
            return; // on the path, yet nothing downstream produced a gradient (e.g. multiplied by a constant zero path)
        if (!string.IsNullOrEmpty(node.Domain) && node.Domain != "ai.onnx" || !OpGradients.Table.TryGetValue(node.OpType, out var opRule))
            throw new UnsupportedOpException(node, rule, emitter.ExportedOpset, "no backward rule for this op");

        emitter.Scope = UnsupportedOpException.Label(node);
        var needed = node.Input.Select(path.Contains).ToArray();
        var context = new GradientContext(node, outputGrads, needed, emitter, rule);
        var inputGrads = relevanceRules is null ? opRule(context) : relevanceRules.Differentiate(context, opRule);
        for (var i = 0; i < node.Input.Count; i++)
        {
            if (!needed[i]) continue;
            var grad = inputGrads[i] ?? throw new UnsupportedOpException(node, rule, emitter.ExportedOpset, $"no gradient for input {i} ('{node.Input[i]}')");
            grads.Add(node.Input[i], grad);
        }
    }

    private static void Validate(GraphIndex index, BackwardOptions options)
    {
        if (!index.InputNames.Contains(options.InputName))
            throw new OnnxGraphException(
                $"'{options.InputName}' is not an input of the graph; inputs: {string.Join(", ", index.InputNames.Select(n => $"'{n}'"))}");
        foreach (var (name, role) in new[] { (options.LogitsName, "logits"), (options.TargetLayer, "target layer") })
            if (name is not null && !index.IsTensor(name))
                throw new OnnxGraphException(
                    $"{role} tensor '{name}' is not in the graph. Candidates: {string.Join(", ", index.SuggestTensors(name).Select(c => $"'{c}'"))}");
        if (index.IsTensor(SeedInput))
            throw new OnnxGraphException($"the graph already has a tensor named '{SeedInput}' (was the backward pass built twice?)");
    }

    /// <summary>The seed is shaped like the logits: [batch, N], batch left as the model declares it.</summary>
    private static ValueInfoProto SeedValueInfo(GraphProto graph, string logits, TensorProto.Types.DataType type)
    {
        var declared = graph.Output.Concat(graph.ValueInfo).FirstOrDefault(v => v.Name == logits)?.Type?.TensorType?.Shape;
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = declared?.Clone() ?? new TensorShapeProto() };
        if (declared is null)
            tensorType.Shape.Dim.Add([new TensorShapeProto.Types.Dimension { DimParam = GraphEditor.BatchSymbol }, new TensorShapeProto.Types.Dimension()]);
        return new ValueInfoProto { Name = SeedInput, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>
    /// ReLU(T) ⊙ seed, the seed [batch, C] reshaped to [batch, C, 1, …] so it scales T's channels:
    /// the signal of <see cref="SeedSignal.RectifiedActivations"/>.
    /// </summary>
    private static string RectifiedActivationSignal(GradientEmitter emitter, GraphIndex index, string tensor)
    {
        emitter.Scope = SeedInput;
        var rank = index.Ranks.Resolve(tensor)
            ?? throw new OnnxGraphException($"the rank of '{tensor}' is needed to scale its channels by the seed but is neither declared nor inferable");
        if (rank < 2)
            throw new OnnxGraphException($"'{tensor}' has rank {rank}; seeding its channels needs rank ≥ 2 ([batch, channels, …])");
        var perChannel = rank == 2 ? SeedInput : emitter.Emit("Unsqueeze", [SeedInput, emitter.Int64s([.. Enumerable.Range(2, rank - 2).Select(a => (long)a)])]);
        return emitter.Emit("Mul", [emitter.Emit("Relu", [tensor]), perChannel]);
    }

    /// <summary>The channel seed is [batch, C], C read from the tensor's declared dim 1 when it has one.</summary>
    private static ValueInfoProto ChannelSeedValueInfo(GraphProto graph, string tensor, TensorProto.Types.DataType type)
    {
        var declared = graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).FirstOrDefault(v => v.Name == tensor)?.Type?.TensorType?.Shape;
        var channels = declared is { Dim.Count: >= 2 } ? declared.Dim[1].Clone() : new TensorShapeProto.Types.Dimension();
        var shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = GraphEditor.BatchSymbol }, channels } };
        return new ValueInfoProto { Name = SeedInput, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    /// <summary>Names the total gradient of <paramref name="tensor"/> as a graph output, typed and shaped like the tensor.</summary>
    /// <param name="finish">Turns the total signal into what is returned (LRP: relevance); null returns the gradient.</param>
    private static void AddGradientOutput(GraphProto graph, GradientEmitter emitter, GradientAccumulator grads, string tensor, string outputName,
        Func<string, string>? finish = null)
    {
        var total = grads.Total(tensor) ?? throw new OnnxGraphException($"no gradient reached '{tensor}'");
        if (finish is not null) total = finish(total);
        emitter.Scope = outputName;
        var node = new NodeProto { OpType = "Identity", Name = $"batchxai_grad/{outputName}", Input = { total }, Output = { outputName } };
        graph.Node.Add(node);
        var declared = graph.Input.Concat(graph.Output).First(v => v.Name == tensor).Clone();
        declared.Name = outputName;
        declared.Type.TensorType.ElemType = (int)emitter.FloatType;
        graph.Output.Add(declared);
    }

    private static void RaiseOpset(ModelProto model, long required)
    {
        // Between opsets 13 and 16 no op a classifier uses changed meaning, so importing 16 is safe.
        foreach (var import in model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx"))
            if (import.Version < required) import.Version = required;
    }
}
