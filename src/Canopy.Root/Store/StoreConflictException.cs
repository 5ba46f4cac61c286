using Canopy.Storage;

namespace Canopy.Root.Store;

/// <summary>
/// A write would break a uniqueness rule (a user name, an application's name and namespace) or is based on a record another
/// request changed meanwhile; nothing was written.
/// </summary>
public sealed class StoreConflictException(string message) : ConflictingWriteException(message);
