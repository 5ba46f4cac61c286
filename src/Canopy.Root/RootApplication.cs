using Canopy.Hosting;
using Canopy.Hosting.Metrics;
using Canopy.Root.Api;
using Canopy.Root.Auth;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Dashboard;
using Canopy.Root.Deployments;
using Canopy.Root.Events;
using Canopy.Root.Metrics;
using Canopy.Root.Monitoring;
using Canopy.Root.Networking;
using Canopy.Root.Placement;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Canopy.Root.Tls;
using Canopy.Root.Vault;
using Canopy.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root;

/// <summary>The root orchestrator: public API, auth, store, root scheduler and the cluster link server, in one web host.</summary>
public static partial class RootApplication
{
    /// <summary>
    /// Builds the root. The store is opened, its schema created and the Admin user bootstrapped here (see
    /// <see cref="AdminBootstrap"/> in the services); after <c>StartAsync</c> the root serves and schedules.
    /// <paramref name="configure"/> runs last, so a caller may replace the server (tests) or add logging (CLI).
    /// </summary>
    public static WebApplication Create(RootOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Directory.CreateDirectory(options.DataDir);
        RootTls.AdoptReplicaKeys(options);

        var store = new RootStore(StoreLocation.Parse(options.Store, Path.Combine(options.DataDir, "root.db"))) { EventsKept = options.EventsKept };
        SchemaUpgrade upgrade;
        try
        {
            upgrade = store.Initialize();
        }
        catch
        {
            store.Dispose();
            throw;
        }

        var signingKey = UserTokenSigningKey.LoadOrCreateAsync(store, default).GetAwaiter().GetResult();
        var admin = AdminSeeder.EnsureAsync(store, options, TimeProvider.System, default).GetAwaiter().GetResult();
        var secretsKey = Security.SecretBox.LoadOrCreate(Path.Combine(options.DataDir, "secrets.key"));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = options.DataDir });
        builder.AddRootTls(options, options.Listener());

        AddServices(builder.Services, options, store, signingKey, admin);
        builder.Services.AddSingleton(secretsKey);
        configure?.Invoke(builder);

        var app = builder.Build();
        if (upgrade.Upgraded)
        {
            StoreUpgraded(app.Logger, store.Location.Display, upgrade.From, upgrade.To);
        }

        app.UseCanopyRequestMetrics(app.Services.GetRequiredService<RootMetrics>().Requests);
        app.UseCanopyProblems();
        app.UseCanopyBodyLimit(options.Limits);

        // Before authentication: a preflight carries no token and must still be answered.
        app.UseCors();
        app.UseSwagger(o => o.RouteTemplate = "api/docs/{documentName}/swagger.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "api/docs";
            o.SwaggerEndpoint("/api/docs/v1/swagger.json", "Canopy root v1");
        });
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseCanopyRateAndTimeLimits();
        app.UseAuthorization();
        MapEndpoints(app);
        return app;
    }

    private static void AddServices(
        IServiceCollection services, RootOptions options, RootStore store, UserTokenSigningKey signingKey, AdminBootstrap admin)
    {
        services.AddSingleton(options);
        services.AddSingleton(admin);
        services.TryAddSingleton<Readiness>();
        services.TryAddSingleton(TimeProvider.System);

        // Built by a factory so the container disposes it (closing its pooled connections) on shutdown.
        services.AddSingleton(_ => store);
        services.AddSingleton<IRootStore>(sp => sp.GetRequiredService<RootStore>());
        services.AddSingleton<ISecretStore>(sp => sp.GetRequiredService<RootStore>());
        services.AddSingleton<SecretVault>();

        services.AddCanopyApiDefaults();
        services.AddCanopyApiLimits(options.Limits);
        services.AddCanopyMetrics(options.Metrics, options.DataDir, RootMetrics.MeterName);
        services.AddSingleton<RootMetrics>();
        services.AddSingleton<IScrapeRefresh, FleetGauges>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton(_ => signingKey);
        services.AddSingleton(sp => new TokenService(signingKey, options, sp.GetRequiredService<TimeProvider>()));
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TokenService>((o, tokens) =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = tokens.ValidationParameters;
            o.Events = JwtEvents.Create();
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddCanopyPolicies();
        services.AddCors(o => o.AddDefaultPolicy(p => CorsOrigins.Configure(p, options)));
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(OpenApiSetup.Configure);

        // The embedded store has one process, always the leader; replicas share a PostgreSQL store and elect one.
        if (store.Location.Provider == StoreProvider.Postgres)
        {
            services.AddPostgresLeadership(store.Location.ConnectionString);
        }
        else
        {
            services.TryAddSingleton<RootLeadership, SoleLeadership>();
        }
        services.AddHostedService(sp => sp.GetRequiredService<RootLeadership>());
        services.AddSingleton<LeaderDuties>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderDuties>());
        services.AddSingleton<LinkHub>();
        services.AddSingleton<LinkMessageHandler>();
        services.AddSingleton<LinkSession>();
        services.AddSingleton<ClusterSubnetBlocks>();
        services.AddSingleton<NetTableRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<NetTableRelay>());
        services.AddSingleton<PlacementRefusals>();
        services.AddSingleton<RootScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<RootScheduler>());
        services.AddSingleton<ClusterFailover>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterFailover>());
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<ExecPermission>();
        services.AddSingleton<DeploymentService>();
        services.AddSingleton<InstanceHistory>();
        services.AddSingleton<InstanceLogTails>();
        services.AddSingleton<Views>();
        services.AddSingleton(sp =>
        {
            var feed = ActivatorUtilities.CreateInstance<EventFeed>(sp);
            store.EventsStored += feed.Wake;
            return feed;
        });
        services.AddHostedService(sp => sp.GetRequiredService<EventFeed>());
        services.AddHostedService<ClusterLivenessEvents>();
        services.AddDashboard();
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapHealth();
        app.MapCanopyMetrics();
        app.MapReadiness();
        app.MapAuth();
        app.MapUsers();
        app.MapAccounts();
        app.MapOrganizations();
        app.MapApplications();
        app.MapDescriptors();
        app.MapServices();
        app.MapClusters();
        app.MapInstances();
        app.MapSecrets();
        app.MapForwarded();
        app.MapJoinTokens();
        app.MapClusterLinks();
        app.MapEvents();
        app.MapDashboard();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Upgraded {File} from schema version {From} to {To}")]
    private static partial void StoreUpgraded(ILogger logger, string file, int from, int to);
}
