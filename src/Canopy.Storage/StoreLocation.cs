using Npgsql;

namespace Canopy.Storage;

/// <summary>Which database a store lives in.</summary>
public enum StoreProvider
{
    /// <summary>One SQLite file in the data dir: the embedded default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by replicas.</summary>
    Postgres,
}

/// <summary>
/// Where a tier keeps its store, parsed once from <c>--store</c> / <c>CANOPY_STORE</c>: empty = a SQLite file in the data dir;
/// <c>postgres://user:password@host:port/database[?options]</c> (or <c>postgresql://</c>) = PostgreSQL. <see cref="ToString"/> and
/// <see cref="Display"/> never show the password.
/// </summary>
public sealed record StoreLocation
{
    private StoreLocation(StoreProvider provider, string connectionString, string display)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Display = display;
    }

    public StoreProvider Provider { get; }

    /// <summary>The SQLite file, or the Npgsql connection string (with the password: never log it).</summary>
    public string ConnectionString { get; }

    /// <summary>What messages name: the file, or <c>host:port/database</c>.</summary>
    public string Display { get; }

    /// <summary><c>host:port</c> of a PostgreSQL store (what must answer); the file of a SQLite one.</summary>
    public string Server => Provider == StoreProvider.Postgres ? Display[..Display.LastIndexOf('/')] : Display;

    public static StoreLocation SqliteFile(string path) => new(StoreProvider.Sqlite, path, path);

    /// <summary>
    /// The store of <paramref name="value"/>; empty or null = <paramref name="defaultFile"/> (SQLite). Throws
    /// <see cref="ArgumentException"/> with what is wrong and the accepted forms.
    /// </summary>
    public static StoreLocation Parse(string? value, string defaultFile)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return SqliteFile(defaultFile);
        }

        value = value.Trim();
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("it is not a postgres:// or postgresql:// URL");
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid("it is not a URL with a host (special characters of the password must be %-encoded)");
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid("it names no database (postgres://user:password@host:port/DATABASE)");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = database,
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        }

        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, option) = pair.Split('=', 2) is [var k, var v] ? (k, v) : (pair, "");
            key = Uri.UnescapeDataString(key);
            try
            {
                builder[QueryKeys.GetValueOrDefault(key, key)] = Uri.UnescapeDataString(option);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw Invalid($"its option '{key}' is not one Npgsql takes ({e.Message})");
            }
        }

        return new StoreLocation(StoreProvider.Postgres, builder.ConnectionString, $"{builder.Host}:{builder.Port}/{builder.Database}");

        static ArgumentException Invalid(string why) => new(
            $"the store location is not valid: {why}. Leave it empty for SQLite in the data dir, or give " +
            "postgres://user:password@host:port/database[?option=value] (--store or CANOPY_STORE).");
    }

    public override string ToString() => Display;

    /// <summary>libpq's URL options under the names Npgsql's connection string uses.</summary>
    private static readonly Dictionary<string, string> QueryKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
    };
}
