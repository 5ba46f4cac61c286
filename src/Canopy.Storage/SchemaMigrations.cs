namespace Canopy.Storage;

/// <summary>
/// The ordered migrations of one store (1, 2, 3 ... without gaps). A store at version <c>n</c> runs the steps after <c>n</c>,
/// all in one transaction; a store from a newer Canopy (a version above <see cref="Latest"/>) is refused, never downgraded.
/// SQLite keeps the version in <c>PRAGMA user_version</c>; a provider without it keeps it in a table of its own.
/// </summary>
public sealed class SchemaMigrations
{
    public SchemaMigrations(string storeName, IReadOnlyList<string> baselineTables, params SchemaMigration[] steps)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        if (steps.Length == 0)
        {
            throw new ArgumentException("a store has at least its first schema", nameof(steps));
        }

        for (var i = 0; i < steps.Length; i++)
        {
            if (steps[i].Version != i + 1)
            {
                throw new ArgumentException(
                    $"{storeName}: migration {i + 1} has version {steps[i].Version}; versions run 1, 2, 3 ... in order", nameof(steps));
            }
        }

        StoreName = storeName;
        BaselineTables = baselineTables;
        Steps = steps;
    }

    /// <summary>What the store is called in messages ("root store").</summary>
    public string StoreName { get; }

    /// <summary>
    /// Tables that migration 1 creates. Stores written before schema versions existed have version 0 and these tables: they are
    /// at version 1 already (migration 1 is exactly that schema), and only later steps run.
    /// </summary>
    public IReadOnlyList<string> BaselineTables { get; }

    public IReadOnlyList<SchemaMigration> Steps { get; }

    public int Latest => Steps[^1].Version;

    /// <summary>The steps after <paramref name="version"/>, in order.</summary>
    public IEnumerable<SchemaMigration> After(int version) => Steps.Where(s => s.Version > version);
}
