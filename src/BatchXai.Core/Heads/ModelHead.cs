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
    public static ModelHead ForLinear(LinearHead linear, IHeadEvaluator? evaluator = null) => new(HeadKind.GapLinear, linear.Classes, linear, evaluator);

    public static ModelHead ForEvaluator(int classes, IHeadEvaluator evaluator) => new(HeadKind.Generic, classes, null, evaluator);
}
