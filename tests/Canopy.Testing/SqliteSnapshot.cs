using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Canopy.Testing;

/// <summary>
/// What a SQLite file holds, for comparing a store before and after something: its <c>user_version</c>, and each table's
/// definition, columns and rows (values as text, in rowid order).
/// </summary>
public sealed record SqliteSnapshot(int UserVersion, IReadOnlyDictionary<string, SqliteSnapshot.Table> Tables)
{
    public sealed record Table(string Sql, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows)
    {
        /// <summary>The rows, only <paramref name="columns"/> of them: what a table kept of an older version of itself.</summary>
        public IReadOnlyList<string> RowsOf(IReadOnlyList<string> columns)
        {
            var indexes = columns.Select(c => Columns.ToList().IndexOf(c)).ToList();
            return Rows.Select(r => string.Join(" | ", indexes.Select(i => i < 0 ? "<missing column>" : r[i] ?? "NULL"))).ToList();
        }
    }

    public static SqliteSnapshot Take(string file)
    {
        using var connection = SqliteFile.Open(file);
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        var tables = new SortedDictionary<string, Table>(StringComparer.Ordinal);
        foreach (var (name, sql) in Rows(connection, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                     .Select(r => (r[0]!, r[1]!)).ToList())
        {
            var columns = Rows(connection, $"SELECT name FROM pragma_table_info('{name}') ORDER BY cid").Select(r => r[0]!).ToList();
            tables[name] = new Table(sql, columns, Rows(connection, $"SELECT * FROM \"{name}\" ORDER BY rowid"));
        }

        return new SqliteSnapshot(version, tables);
    }

    /// <summary>
    /// The tables of <paramref name="before"/> whose rows this snapshot does not hold unchanged (in the columns they had then):
    /// empty when an upgrade kept everything.
    /// </summary>
    public IReadOnlyList<string> Lost(SqliteSnapshot before) =>
        before.Tables.Where(t => !Tables.TryGetValue(t.Key, out var now) || !now.RowsOf(t.Value.Columns).SequenceEqual(t.Value.RowsOf(t.Value.Columns)))
            .Select(t => t.Key)
            .ToList();

    /// <summary>Equal when the files hold the same version, definitions and rows.</summary>
    public bool SameAs(SqliteSnapshot other) =>
        UserVersion == other.UserVersion && Tables.Keys.SequenceEqual(other.Tables.Keys) &&
        Tables.All(t => t.Value.Sql == other.Tables[t.Key].Sql && t.Value.Columns.SequenceEqual(other.Tables[t.Key].Columns) &&
                        t.Value.RowsOf(t.Value.Columns).SequenceEqual(other.Tables[t.Key].RowsOf(t.Value.Columns)));

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static List<IReadOnlyList<string?>> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<IReadOnlyList<string?>>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))
                .ToList());
        }

        return rows;
    }
}
