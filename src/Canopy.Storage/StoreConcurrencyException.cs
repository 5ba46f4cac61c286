namespace Canopy.Storage;

/// <summary>
/// Another writer (a replica sharing the database) kept changing the same rows: the write was retried and still conflicted,
/// so it was not applied. Trying again later is safe.
/// </summary>
public sealed class StoreConcurrencyException(string message, Exception? inner = null) : Exception(message, inner);
