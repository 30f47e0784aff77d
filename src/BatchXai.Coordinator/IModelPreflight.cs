namespace BatchXai.Coordinator;

/// <summary>
/// Runs a model the way the workers will, once, before a run is queued: the forward pass with
/// every output the chosen methods read and, for gradient methods, the backward graph, on a dummy
/// batch. A model that would fail every image fails the request instead (exit 2 / HTTP 400).
/// </summary>
public interface IModelPreflight
{
    /// <exception cref="Exception">Whatever stops the model from serving the methods; the message names the field, tensor or node.</exception>
    void Check(string manifestPath, IReadOnlyList<string> methods, IReadOnlyDictionary<string, string>? methodOptions);
}
