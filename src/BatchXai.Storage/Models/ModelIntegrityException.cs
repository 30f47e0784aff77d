namespace BatchXai.Storage.Models;

/// <summary>
/// A model file whose bytes are not the ones a run was queued with (replaced or corrupted since):
/// the batch fails with this, naming the file and both hashes, instead of explaining with another model.
/// </summary>
public sealed class ModelIntegrityException(string message) : Exception(message)
{
    public static ModelIntegrityException Mismatch(string file, string expected, string actual) => new(
        $"model file {file}: its SHA-256 is {actual}, but the run was queued with {expected} " +
        "(the file was replaced after the run started?); the batch is failed rather than explained with another model");
}
