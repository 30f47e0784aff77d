namespace BatchXai.Storage.Objects;

/// <summary>
/// The store itself cannot be reached or answers with a server error (endpoint down, timeout,
/// 5xx, throttling): nothing is wrong with the object asked for, so this never fails an image;
/// the work is retried once the store is back (see <see cref="TransientFaults"/>).
/// </summary>
public sealed class StoreUnavailableException(string message, Exception inner) : IOException(message, inner);
