using Canopy.Root.Tests.Infrastructure;
using Canopy.Root.Tests.Tenancy;
using Canopy.Testing;

namespace Canopy.Root.Tests;

// The root's store tests again on PostgreSQL: each class below runs every test of its base on a fresh database of one
// PostgreSQL server per class (the base classes run them on SQLite).
public sealed class ApplicationTestsOnPostgres(PostgresFixture postgres) : ApplicationTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class ScaleAndUpdateTestsOnPostgres(PostgresFixture postgres) : ScaleAndUpdateTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class InstanceEventTestsOnPostgres(PostgresFixture postgres) : InstanceEventTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class ConcurrentDeployTestsOnPostgres(PostgresFixture postgres) : ConcurrentDeployTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class UserTestsOnPostgres(PostgresFixture postgres) : UserTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class JoinTokenTestsOnPostgres(PostgresFixture postgres) : JoinTokenTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class SecretTestsOnPostgres(PostgresFixture postgres) : SecretTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class OrganizationTestsOnPostgres(PostgresFixture postgres) : OrganizationTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class RestartTestsOnPostgres(PostgresFixture postgres) : RestartTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class ClusterIdentityTestsOnPostgres(PostgresFixture postgres) : ClusterIdentityTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class ClusterLinkTestsOnPostgres(PostgresFixture postgres) : ClusterLinkTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class ClusterFailoverTestsOnPostgres(PostgresFixture postgres) : ClusterFailoverTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class ServiceAddressTestsOnPostgres(PostgresFixture postgres) : ServiceAddressTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class AccountTestsOnPostgres(PostgresFixture postgres) : AccountTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class NetManagerLinkTestsOnPostgres(PostgresFixture postgres) : NetManagerLinkTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}

public sealed class EventApiTestsOnPostgres(PostgresFixture postgres) : Events.EventApiTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<string?> NewStoreAsync() => await postgres.NewStoreUrlAsync();
}
