namespace Canopy.Storage;

/// <summary>
/// One step of a store's schema: the SQL that takes a store at <see cref="Version"/> - 1 to <see cref="Version"/>. Plain SQL
/// (tables, columns, indexes, data moves) so that another provider can run the same list.
/// </summary>
public sealed record SchemaMigration(int Version, string Description, string Sql);
