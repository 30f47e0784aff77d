using BatchXai.Core.Audit.Causal;

namespace BatchXai.Contracts;

/// <summary>
/// Opens a run's model and dataset for the audit's causal check (issue 13). The worker's model cache
/// implements it; a host without one (an aggregator that cannot load models) registers none and the
/// check is skipped.
/// </summary>
public interface IModelProbeSource
{
    Task<IModelProbe> OpenAsync(RunSettings settings, CancellationToken ct);
}
