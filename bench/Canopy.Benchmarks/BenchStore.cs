using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary><c>--store postgres</c>: the roots the benchmarks start keep their store in PostgreSQL instead of SQLite.</summary>
internal static class BenchStore
{
    /// <summary>
    /// A durable throw-away server (fsync on, as in production) with one database; <c>CANOPY_STORE</c> points the root processes
    /// started afterwards at it (<c>canopy up</c> keeps its embedded cluster on SQLite).
    /// </summary>
    public static async Task<TestPostgres> StartPostgresAsync()
    {
        var postgres = await TestPostgres.StartNewAsync(durable: true);
        var database = await postgres.CreateDatabaseAsync("bench");
        Environment.SetEnvironmentVariable("CANOPY_STORE", postgres.Url(database));
        Console.WriteLine($"store: PostgreSQL 15 at 127.0.0.1:{postgres.Port}/{database} (durable: fsync on)");
        return postgres;
    }
}
