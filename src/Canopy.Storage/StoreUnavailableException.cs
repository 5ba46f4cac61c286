namespace Canopy.Storage;

/// <summary>
/// The store's database does not answer (down, unreachable, refusing the credentials): nothing of the request was written. The
/// message names the database and what to do; APIs answer 503.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
