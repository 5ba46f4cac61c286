using Canopy.Cluster.Tests.Api;
using Canopy.Cluster.Tests.Net;
using Canopy.Cluster.Tests.Nodes;
using Canopy.Testing;

namespace Canopy.Cluster.Tests.Storage;

// The cluster's store tests again on PostgreSQL: each class below runs every test of its base on a fresh database of one
// PostgreSQL server per class (the base classes run them on SQLite).
public sealed class NodeRegistrationTestsOnPostgres(ITestOutputHelper output, PostgresFixture postgres) : NodeRegistrationTests(output), IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync("cluster");
}

public sealed class NodeJoinTokenTestsOnPostgres(ITestOutputHelper output, PostgresFixture postgres) : NodeJoinTokenTests(output), IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync("cluster");
}

public sealed class NodeIdentityTestsOnPostgres(ITestOutputHelper output, PostgresFixture postgres) : NodeIdentityTests(output), IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync("cluster");
}

public sealed class DeploymentTestsOnPostgres(ITestOutputHelper output, PostgresFixture postgres) : DeploymentTests(output), IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync("cluster");
}

public sealed class InventoryTestsOnPostgres(ITestOutputHelper output, PostgresFixture postgres) : InventoryTests(output), IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync("cluster");
}

public sealed class NetTableTestsOnPostgres(ITestOutputHelper output, PostgresFixture postgres) : NetTableTests(output), IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync("cluster");
}

public sealed class NodeSubnetTestsOnPostgres(ITestOutputHelper output, PostgresFixture postgres) : NodeSubnetTests(output), IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync("cluster");
}
