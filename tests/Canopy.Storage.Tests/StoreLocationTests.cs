using Npgsql;

namespace Canopy.Storage.Tests;

/// <summary><c>--store</c> / <c>CANOPY_STORE</c>: SQLite when empty, PostgreSQL for a postgres:// URL, a clear refusal otherwise.</summary>
public sealed class StoreLocationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_is_the_sqlite_file_in_the_data_dir(string? value)
    {
        var location = StoreLocation.Parse(value, "/data/root.db");

        (location.Provider, location.ConnectionString, location.Display).ShouldBe((StoreProvider.Sqlite, "/data/root.db", "/data/root.db"));
    }

    [Theory]
    [InlineData("postgres://canopy:s3cret@db.example:6543/canopy")]
    [InlineData("postgresql://canopy:s3cret@db.example:6543/canopy")]
    public void A_postgres_url_becomes_a_connection_string_and_shows_without_its_password(string url)
    {
        var location = StoreLocation.Parse(url, "/data/root.db");

        location.Provider.ShouldBe(StoreProvider.Postgres);
        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password).ShouldBe(("db.example", 6543, "canopy", "canopy", "s3cret"));
        (location.Display, location.Server, location.ToString()).ShouldBe(("db.example:6543/canopy", "db.example:6543", "db.example:6543/canopy"));
    }

    [Fact]
    public void Escaped_characters_the_default_port_and_options_are_understood()
    {
        var location = StoreLocation.Parse("postgres://app%40corp:p%3Ass%2Fw@10.0.0.5/root%20db?sslmode=require&connect_timeout=3", "x");

        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        (builder.Username, builder.Password, builder.Port, builder.Database).ShouldBe(("app@corp", "p:ss/w", 5432, "root db"));
        (builder.SslMode, builder.Timeout).ShouldBe((SslMode.Require, 3));
    }

    [Theory]
    [InlineData("mysql://u:p@h/db", "not a postgres://")]
    [InlineData("/var/lib/canopy/root.db", "not a postgres://")]
    [InlineData("postgres://u:p@h:5432/", "names no database")]
    [InlineData("postgres://u:p@h:5432/db?no_such_option=1", "'no_such_option'")]
    public void Anything_else_is_refused_naming_what_is_wrong_and_the_accepted_forms(string value, string why)
    {
        var refusal = Should.Throw<ArgumentException>(() => StoreLocation.Parse(value, "x"));

        refusal.Message.ShouldContain(why);
        refusal.Message.ShouldContain("postgres://user:password@host:port/database");
        refusal.Message.ShouldNotContain(":p@");
    }
}
