namespace Canopy.Root.Store;

/// <summary>A write would break a uniqueness rule (a user name, an application's name and namespace); nothing was written.</summary>
public sealed class StoreConflictException(string message) : Exception(message);
