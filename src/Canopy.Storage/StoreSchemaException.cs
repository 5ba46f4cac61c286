namespace Canopy.Storage;

/// <summary>A store's file cannot be used by this Canopy: it is from a newer version, not a Canopy store, or a migration failed.</summary>
public sealed class StoreSchemaException(string message, Exception? inner = null) : Exception(message, inner);
