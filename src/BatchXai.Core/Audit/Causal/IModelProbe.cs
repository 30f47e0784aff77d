namespace BatchXai.Core.Audit.Causal;

/// <summary>
/// A run's model and dataset as the causal check needs them: the model's input geometry, a score
/// engine, and the model inputs of chosen images. Implemented at the edge (the worker's model cache
/// and image loader), so the audit knows nothing of ONNX or image files.
/// </summary>
public interface IModelProbe : IDisposable
{
    InputGeometry Geometry { get; }

    IScoreEngine Scores { get; }

    int Classes { get; }

    /// <summary>One sigmoid per finding (a multi-label head): the check follows each finding's own probability.</summary>
    bool MultiLabel { get; }

    /// <summary>The model inputs of the images that load (one that fails to decode is left out), in the order asked.</summary>
    Task<IReadOnlyList<(string Key, float[] Input)>> LoadAsync(IReadOnlyList<string> imageKeys, CancellationToken ct);
}
