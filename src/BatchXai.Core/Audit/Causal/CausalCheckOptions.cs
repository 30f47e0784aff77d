using BatchXai.Core.Options;

namespace BatchXai.Core.Audit.Causal;

/// <summary>The causal check's run options (declared once here; read by the aggregator's audit).</summary>
public static class CausalCheckOptions
{
    public static readonly IntOption Images = new("audit-mask-images",
        "images per class, and per SpRAy cluster, that the audit's causal check masks (0 turns the check off)", 32, 0, 1024);

    public static readonly NumberOption Margin = new("audit-mask-margin",
        "flip rate or mean drop of the class probability at which masking a suspect region is a finding: critical outside the anatomy, warning inside", 0.5, 0.01, 1);

    public static readonly IReadOnlyList<OptionSpec> All = [Images, Margin];
}
