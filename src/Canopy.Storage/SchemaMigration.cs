namespace Canopy.Storage;

/// <summary>
/// One step of a store's schema: the SQL that takes a store at <see cref="Version"/> - 1 to <see cref="Version"/>. Plain SQL
/// (tables, columns, indexes, data moves) that both providers run, or, where their DDL differs (AUTOINCREMENT, REAL), a
/// <see cref="Postgres"/> variant of the same step.
/// </summary>
public sealed record SchemaMigration(int Version, string Description, string Sql, string? Postgres = null)
{
    /// <summary>The SQL of this step for <paramref name="provider"/>.</summary>
    public string SqlFor(StoreProvider provider) => provider == StoreProvider.Postgres ? Postgres ?? Sql : Sql;

    /// <summary>
    /// SQLite DDL as PostgreSQL takes it with the same meaning: <c>REAL</c> (SQLite's is 8 bytes) as <c>DOUBLE PRECISION</c>,
    /// <c>INTEGER PRIMARY KEY AUTOINCREMENT</c> as <c>BIGSERIAL PRIMARY KEY</c>. For a <see cref="Postgres"/> variant that differs
    /// only in types.
    /// </summary>
    public static string PostgresTypes(string sqliteDdl) => sqliteDdl
        .Replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY", StringComparison.Ordinal)
        .Replace(" REAL", " DOUBLE PRECISION", StringComparison.Ordinal);
}
