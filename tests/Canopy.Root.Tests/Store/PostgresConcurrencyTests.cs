using Canopy.Root.Store;
using Canopy.Storage;
using Canopy.Testing;

namespace Canopy.Root.Tests.Store;

/// <summary>
/// Two root stores on one PostgreSQL database, as two replicas have them: what one writes the other never silently overwrites
/// (a change based on an older version of a record is refused), and read-modify-writes that race are serialized.
/// </summary>
public sealed class PostgresConcurrencyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Updates_of_one_application_from_the_same_read_on_two_replicas_one_wins_the_others_conflict()
    {
        var (first, second) = await TwoReplicasAsync();
        using var a = first;
        using var b = second;
        var application = Application("race");
        await a.AddApplicationsAsync([(application, [])], default);
        var readByA = (await a.GetApplicationAsync(application.Id, default))!;
        var readByB = (await b.GetApplicationAsync(application.Id, default))!;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var (store, read) = i % 2 == 0 ? (a, readByA) : (b, readByB);
            try
            {
                return await store.UpdateApplicationAsync(read with { Description = $"change {i}" }, default) ? $"change {i}" : "gone";
            }
            catch (StoreConflictException e)
            {
                e.Message.ShouldContain("changed by another request");
                return null;
            }
        })));

        var winner = outcomes.Where(o => o is not null).ShouldHaveSingleItem();
        var stored = (await b.GetApplicationAsync(application.Id, default))!;
        stored.Description.ShouldBe(winner);
        stored.Version.ShouldBe(2);
    }

    [Fact]
    public async Task A_service_change_based_on_an_old_read_is_refused_and_changes_nothing()
    {
        var (first, second) = await TwoReplicasAsync();
        using var a = first;
        using var b = second;
        var application = Application("scale");
        var service = Service(application);
        await a.AddApplicationsAsync([(application, [service])], default);
        var old = (await b.GetServiceAsync(service.Id, default))!;
        (await a.UpdateServiceAsync(old with { DesiredInstances = 3 }, default)).ShouldBeTrue();

        var refusal = await Should.ThrowAsync<StoreConflictException>(() => b.UpdateServiceAsync(old with { MemoryMb = 512 }, default));

        refusal.Message.ShouldContain($"service '{service.Id}'");
        refusal.Message.ShouldContain("read it again");
        var stored = (await b.GetServiceAsync(service.Id, default))!;
        (stored.DesiredInstances, stored.MemoryMb, stored.Version).ShouldBe((3, 64, 2));
    }

    [Fact]
    public async Task Instances_added_on_two_replicas_at_once_get_distinct_numbers_and_none_is_lost()
    {
        var (first, second) = await TwoReplicasAsync();
        using var a = first;
        using var b = second;
        var application = Application("numbers");
        var service = Service(application);
        await a.AddApplicationsAsync([(application, [service])], default);

        var added = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => (i % 2 == 0 ? a : b).AddInstanceAsync(service.Id, DateTimeOffset.UtcNow, default))));

        added.Select(i => i!.InstanceNumber).Order().ShouldBe(Enumerable.Range(0, 40));
        var stored = (await a.GetServiceAsync(service.Id, default))!;
        (stored.NextInstanceNumber, stored.DesiredInstances).ShouldBe((40, 40));
        (await b.ListInstancesAsync(service.Id, default)).Count.ShouldBe(40);
    }

    private async Task<(RootStore, RootStore)> TwoReplicasAsync()
    {
        var location = StoreLocation.Parse(await postgres.NewStoreUrlAsync(), "unused");
        var a = new RootStore(location);
        var b = new RootStore(location);
        a.Initialize();
        b.Initialize().ShouldBe(new SchemaUpgrade(RootSchema.Migrations.Latest, RootSchema.Migrations.Latest));
        return (a, b);
    }

    private static ApplicationRecord Application(string name) => new()
    {
        Id = Guid.NewGuid().ToString("N")[..24],
        Name = name,
        Namespace = "pg",
        Owner = "Admin",
        OrganizationId = RootSchema.DefaultOrganizationId,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static ServiceRecord Service(ApplicationRecord application) => new()
    {
        Id = Guid.NewGuid().ToString("N")[..24],
        ApplicationId = application.Id,
        Owner = application.Owner,
        OrganizationId = application.OrganizationId,
        AppName = application.Name,
        AppNs = application.Namespace,
        ServiceName = "web",
        ServiceNs = "pg",
        JobName = $"{application.Name}.pg.web.pg",
        Microservice = "{}",
        MemoryMb = 64,
        DesiredInstances = 0,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
