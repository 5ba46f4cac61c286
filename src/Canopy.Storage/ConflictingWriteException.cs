namespace Canopy.Storage;

/// <summary>
/// A write refused because it conflicts with what is stored (a name taken, a record changed by another writer since it was
/// read); nothing was written. APIs answer 409 with the message, which says what conflicts and what to do.
/// </summary>
public class ConflictingWriteException(string message, Exception? inner = null) : Exception(message, inner);
