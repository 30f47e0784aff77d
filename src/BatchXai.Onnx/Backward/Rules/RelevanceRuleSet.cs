using BatchXai.Onnx.Graph;
using BatchXai.Onnx.Proto;
using static BatchXai.Onnx.Backward.NodeAttributes;
using Dimension = BatchXai.Onnx.Proto.TensorShapeProto.Types.Dimension;

namespace BatchXai.Onnx.Backward.Rules;

/// <summary>
/// The rule-modified backward passes of LRP and DeepLIFT, for one build: which ops the rule
/// replaces (the linear layers for LRP, the element-wise nonlinearities and max pooling for
/// DeepLIFT), the extra graph inputs the rule reads, and what the input's output becomes (LRP:
/// relevance x ⊙ g plus the box rule's bound terms; DeepLIFT: the multipliers). Every other op keeps
/// its exact gradient. Null for the gradient rules (exact, deconvnet, guided).
/// </summary>
internal sealed class RelevanceRuleSet
{
    public const string ParametersInput = RelevanceInputs.Parameters;
    public const string LowInput = RelevanceInputs.Low;
    public const string HighInput = RelevanceInputs.High;

    private readonly Dictionary<string, List<NodeProto>> _consumers = new();
    private readonly List<string> _boundTerms = [];
    private string? _epsilon, _alpha, _beta;

    private RelevanceRuleSet(GradientRule rule, string input, GraphIndex index, GradientEmitter emitter)
    {
        Rule = rule;
        Input = input;
        Index = index;
        Emit = emitter;
        foreach (var node in index.Graph.Node)
            foreach (var read in node.Input.Where(i => i.Length > 0))
                (_consumers.TryGetValue(read, out var list) ? list : _consumers[read] = []).Add(node);
    }

    public GradientRule Rule { get; }
    public string Input { get; }
    public GraphIndex Index { get; }
    public GradientEmitter Emit { get; }

    public bool IsLrp => RelevanceInputs.IsLrp(Rule);

    /// <summary>The rule set for <paramref name="options"/>' rule (declaring its extra graph inputs), or null for a gradient rule.</summary>
    public static RelevanceRuleSet? For(BackwardOptions options, GraphProto graph, GraphIndex index, GradientEmitter emitter)
    {
        if (!RelevanceInputs.IsLrp(options.Rule) && !RelevanceInputs.IsPaired(options.Rule))
            return null;
        var set = new RelevanceRuleSet(options.Rule, options.InputName, index, emitter);
        if (set.IsLrp)
            graph.Input.Add(new ValueInfoProto { Name = ParametersInput, Type = FloatType(emitter, new TensorShapeProto { Dim = { new Dimension { DimValue = 2 } } }) });
        if (options.Rule == GradientRule.LrpComposite)
        {
            var declared = graph.Input.First(v => v.Name == options.InputName).Type?.TensorType?.Shape?.Clone() ?? new TensorShapeProto();
            if (declared.Dim.Count > 0) declared.Dim[0] = new Dimension { DimValue = 1 };
            graph.Input.Add(new ValueInfoProto { Name = LowInput, Type = FloatType(emitter, declared) });
            graph.Input.Add(new ValueInfoProto { Name = HighInput, Type = FloatType(emitter, declared.Clone()) });
        }
        return set;
    }

    /// <summary>The node's input gradients under this rule: a replaced op's, else its exact gradient.</summary>
    public string?[] Differentiate(GradientContext c, OpGradient exact)
    {
        var exactContext = c with { Rule = GradientRule.Exact };
        if (IsLrp)
            return c.Node.OpType switch
            {
                "Conv" or "Gemm" or "MatMul" => LrpLinearRules.Apply(this, c, exact),
                "BatchNormalization" when IsFoldedNorm(c.Node) => c.Result(c.Grad),
                _ => exact(exactContext),
            };
        return c.Node.OpType switch
        {
            "Relu" or "LeakyRelu" or "Clip" or "Sigmoid" or "Tanh" or "HardSigmoid" or "HardSwish" => DeepLiftRules.Rescale(this, exactContext, exact),
            "MaxPool" => DeepLiftRules.MaxPool(this, exactContext, exact),
            _ => exact(exactContext),
        };
    }

    /// <summary>What the graph returns for the input: LRP's relevance x ⊙ g (plus the box rule's bound terms), DeepLIFT's multipliers as they are.</summary>
    public string InputOutput(string total)
    {
        if (!IsLrp) return total;
        Emit.Scope = "lrp/input";
        var relevance = Emit.Emit("Mul", [Input, total]);
        foreach (var term in _boundTerms) relevance = Emit.Emit("Add", [relevance, term]);
        return relevance;
    }

    /// <summary>Relevance added straight to the input's (the box rule's −l ⊙ … − h ⊙ … terms).</summary>
    public void AddInputRelevance(string term) => _boundTerms.Add(term);

    public string Epsilon => _epsilon ??= Parameter(0);
    public string Alpha => _alpha ??= Parameter(1);
    public string Beta => _beta ??= Emit.Emit("Sub", [Alpha, Emit.Scalar(1)]);

    /// <summary>
    /// The inference BatchNormalization folded into <paramref name="linear"/> (a Conv whose only
    /// consumer it is): the rule then works with the folded weights and the normalised output, and
    /// the normalisation itself passes the signal unchanged.
    /// </summary>
    public NodeProto? FoldedNorm(NodeProto linear)
    {
        if (linear.OpType != "Conv" || !_consumers.TryGetValue(linear.Output[0], out var readers) || readers.Count != 1 || Index.OutputNames.Contains(linear.Output[0]))
            return null;
        var norm = readers[0];
        return norm.OpType == "BatchNormalization" && norm.Input[0] == linear.Output[0] && norm.Int("training_mode", 0) == 0
               && norm.Input.Skip(1).All(Index.Initializers.Contains) ? norm : null;
    }

    private bool IsFoldedNorm(NodeProto norm) => Index.Producer(norm.Input[0]) is { } producer && FoldedNorm(producer) == norm;

    private string Parameter(int index)
    {
        var scope = Emit.Scope;
        Emit.Scope = ParametersInput;
        var value = Emit.Emit("Gather", [ParametersInput, Emit.Int64Scalar(index)], Attr("axis", 0L));
        Emit.Scope = scope;
        return value;
    }

    private static TypeProto FloatType(GradientEmitter emitter, TensorShapeProto shape) =>
        new() { TensorType = new TypeProto.Types.Tensor { ElemType = (int)emitter.FloatType, Shape = shape } };
}
