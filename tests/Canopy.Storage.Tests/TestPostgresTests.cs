using Canopy.Testing;
using Npgsql;

namespace Canopy.Storage.Tests;

/// <summary>The throw-away server every PostgreSQL test stands on: it starts, takes a password, survives a restart, and goes away.</summary>
public sealed class TestPostgresTests
{
    [Fact]
    public async Task Serves_a_database_of_its_own_across_a_restart_and_removes_everything_after()
    {
        string dir;
        await using (var server = await TestPostgres.StartNewAsync())
        {
            dir = server.Directory;
            var database = await server.CreateDatabaseAsync();
            (await ScalarAsync(server.ConnectionString(database), "CREATE TABLE t (v int); INSERT INTO t VALUES (7); SELECT v FROM t")).ShouldBe(7);

            await server.StopAsync();
            await Should.ThrowAsync<NpgsqlException>(() => ScalarAsync(server.ConnectionString(database), "SELECT 1"));
            await server.StartAsync();
            (await ScalarAsync(server.ConnectionString(database), "SELECT v FROM t")).ShouldBe(7);

            var wrong = new NpgsqlConnectionStringBuilder(server.ConnectionString(database)) { Password = "wrong" }.ToString();
            var refused = await Should.ThrowAsync<PostgresException>(() => ScalarAsync(wrong, "SELECT 1"));
            refused.SqlState.ShouldBe(PostgresErrorCodes.InvalidPassword);
        }

        Directory.Exists(dir).ShouldBeFalse();
    }

    private static async Task<int> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
