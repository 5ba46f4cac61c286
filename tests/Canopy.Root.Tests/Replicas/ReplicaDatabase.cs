using Canopy.Root.Store;
using Canopy.Testing;
using Npgsql;

namespace Canopy.Root.Tests.Replicas;

/// <summary>One throw-away PostgreSQL server for a test class; each test takes a database with the replicas' tables.</summary>
public sealed class ReplicaDatabase : IAsyncLifetime
{
    public TestPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestPostgres.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A new database with root migration 6 (the replicas' tables) applied; returns its connection string.</summary>
    public async Task<string> NewAsync()
    {
        var database = await Server.CreateDatabaseAsync("replicas");
        var connectionString = Server.ConnectionString(database);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(RootSchema.Migrations.Steps.Single(m => m.Version == 6).Sql, connection);
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }
}
