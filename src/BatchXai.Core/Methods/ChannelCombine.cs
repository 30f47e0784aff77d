namespace BatchXai.Core.Methods;

/// <summary>How input-resolution methods fold the colour channels of a pixel into one map value.</summary>
public static class ChannelCombine
{
    /// <summary>Signed sum: attributions that add up (IG, gradient × input, occlusion-like).</summary>
    public static readonly Func<float, float, float> Sum = (acc, v) => acc + v;

    /// <summary>Largest magnitude: gradient maps (Simonyan et al.'s saliency), start from 0.</summary>
    public static readonly Func<float, float, float> MaxAbs = (acc, v) => Math.Max(acc, Math.Abs(v));

    /// <summary>Largest signed value (PAIR saliency's XRAI aggregation), start from −∞.</summary>
    public static readonly Func<float, float, float> Max = Math.Max;
}
