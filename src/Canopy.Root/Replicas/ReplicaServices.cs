using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Replicas;

public static class ReplicaServices
{
    /// <summary>
    /// Makes this root one replica among several on the PostgreSQL database of <paramref name="connectionString"/> (an Npgsql
    /// connection string): it leads only while it holds the database's leadership lock. The database must carry the root schema
    /// (version 6 or later). Call it after the root's own services (it replaces the embedded store's sole leadership).
    /// </summary>
    public static IServiceCollection AddPostgresLeadership(this IServiceCollection services, string connectionString)
    {
        services.RemoveAll<RootLeadership>();
        services.AddSingleton<RootLeadership>(sp => new PostgresLeadership(
            connectionString, sp.GetRequiredService<RootOptions>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PostgresLeadership>>()));
        return services;
    }
}
