namespace BatchXai.Core.Heads;

/// <summary>The manifest's head kind: a GAP → linear head has closed forms; a generic one is evaluated.</summary>
public enum HeadKind
{
    GapLinear,
    Generic,
}

/// <summary>
/// What the explanation methods know about a model's head: its kind, the closed-form weights
/// when it is GAP → linear, and an evaluator that runs it on arbitrary feature tensors.
/// </summary>
public sealed record ModelHead(HeadKind Kind, int Classes, LinearHead? Linear, IHeadEvaluator? Evaluator)
{
    /// <summary>
    /// One sigmoid per finding (a chest X-ray model's head): every output node is a classifier of its own, so a finding's
    /// class-selective relevance is its own node's (CRM sums over that one node) and each (image, finding) gets a map.
    /// </summary>
    public bool MultiLabel { get; init; }

    public static ModelHead ForLinear(LinearHead linear, IHeadEvaluator? evaluator = null) => new(HeadKind.GapLinear, linear.Classes, linear, evaluator);

    public static ModelHead ForEvaluator(int classes, IHeadEvaluator evaluator) => new(HeadKind.Generic, classes, null, evaluator);
}
