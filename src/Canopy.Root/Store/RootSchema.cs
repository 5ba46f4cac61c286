using Canopy.Storage;

namespace Canopy.Root.Store;

/// <summary>
/// The root store's schema, one migration per version (see <see cref="SchemaMigrations"/>). Add a step at the end, never change
/// one that shipped: data dirs out there are at every version. Plain SQL so that the PostgreSQL provider can run the same list.
/// </summary>
internal static class RootSchema
{
    public static readonly SchemaMigrations Migrations = new(
        "root store",
        ["settings", "users", "applications", "services", "instances", "instance_events", "clusters", "join_tokens"],
        new SchemaMigration(1, "the schema before versions existed", V1, PostgresV1),
        new SchemaMigration(2, "cluster secrets; join tokens limited to a number of uses", """
            ALTER TABLE clusters ADD COLUMN secret_hash TEXT;
            ALTER TABLE join_tokens ADD COLUMN max_uses INTEGER;
            ALTER TABLE join_tokens ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
            """),
        new SchemaMigration(3, "the net manager: closest_ip of services, instance addresses, node subnet blocks of clusters", V3,
            V3.Replace("granted_at TEXT NOT NULL)", "granted_at TEXT NOT NULL, rowid BIGSERIAL)", StringComparison.Ordinal)),
        new SchemaMigration(4, "organizations with members and their roles; applications and services belong to one; revoked refresh tokens",
            Tenancy),
        new SchemaMigration(5, "secrets: name, kind and key names in clear, the values sealed with <data dir>/secrets.key", """
            CREATE TABLE secrets (
                scope TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                keys TEXT NOT NULL,
                registry_host TEXT,
                sealed_value TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT,
                PRIMARY KEY (scope, name));
            """),
        new SchemaMigration(6, "optimistic concurrency: a version of each application and service, bumped by every change of it", """
            ALTER TABLE applications ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE services ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
            """),
        new SchemaMigration(7, "root replicas: the registered replicas and the leader's term (the fencing token)", ReplicaTables),
        new SchemaMigration(8, "the fleet's event stream: instance transitions, placements, node and cluster liveness", FleetEvents,
            SchemaMigration.PostgresTypes(FleetEvents)));

    /// <summary>
    /// One row per event of <c>GET /api/v1/events</c>. Names are copied in, so an event still reads well after its application, node or
    /// cluster is gone; <c>organization_id</c> is whose workload it was (null for node and cluster events).
    /// </summary>
    private const string FleetEvents = """
        CREATE TABLE fleet_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            reason TEXT NOT NULL,
            organization_id TEXT,
            application_id TEXT,
            application_name TEXT,
            service_id TEXT,
            service_name TEXT,
            instance_number INTEGER,
            cluster_id TEXT,
            cluster_name TEXT,
            node_id TEXT,
            node_name TEXT);
        CREATE INDEX fleet_events_application ON fleet_events (application_id, id);
        CREATE INDEX fleet_events_service ON fleet_events (service_id, id);
        CREATE INDEX fleet_events_kind ON fleet_events (kind, id);
        """;

    /// <summary>
    /// The tables of root replicas and their leadership (src/Canopy.Root/Replicas), in the SQL both providers take. The leadership
    /// tests and benchmark create them alone on a bare PostgreSQL database.
    /// </summary>
    internal const string ReplicaTables = """
        CREATE TABLE root_replicas (
            replica_id TEXT PRIMARY KEY,
            api_url TEXT NOT NULL,
            started_at TEXT NOT NULL,
            last_seen TEXT NOT NULL);
        CREATE TABLE root_leadership (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            term BIGINT NOT NULL,
            leader_id TEXT,
            leader_url TEXT,
            leader_pid INTEGER,
            since TEXT);
        INSERT INTO root_leadership (id, term) VALUES (1, 0);
        """;


    private const string V3 = """
        ALTER TABLE services ADD COLUMN closest_ip TEXT;
        ALTER TABLE instances ADD COLUMN instance_ip TEXT;
        CREATE TABLE subnet_blocks (
            block TEXT PRIMARY KEY,
            cluster_id TEXT NOT NULL,
            granted_at TEXT NOT NULL);
        CREATE INDEX subnet_blocks_cluster ON subnet_blocks (cluster_id);
        """;

    /// <summary>
    /// <see cref="V1"/> for PostgreSQL: its types, and a <c>rowid</c> column (SQLite's implicit one) where lists are ordered by
    /// insertion among equal times.
    /// </summary>
    private static string PostgresV1 => SchemaMigration.PostgresTypes(V1)
        .Replace("deleting INTEGER NOT NULL DEFAULT 0,\n    created_at TEXT NOT NULL);", "deleting INTEGER NOT NULL DEFAULT 0,\n    created_at TEXT NOT NULL,\n    rowid BIGSERIAL);", StringComparison.Ordinal);

    /// <summary>
    /// Every user's roles move into a membership of the default organization <c>root</c> (its id is derived from its name, so the
    /// constant below is what <c>Auth.Organizations.DefaultId</c> computes), and every application and service joins it.
    /// </summary>
    private const string Tenancy = $$"""
        CREATE TABLE organizations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL);
        CREATE TABLE memberships (
            organization_id TEXT NOT NULL,
            user_name TEXT NOT NULL,
            roles TEXT NOT NULL,
            PRIMARY KEY (organization_id, user_name));
        CREATE INDEX memberships_user ON memberships (user_name);
        INSERT INTO organizations (id, name, created_at) VALUES ('{{DefaultOrganizationId}}', 'root', '2020-01-01T00:00:00.0000000+00:00');
        INSERT INTO memberships (organization_id, user_name, roles) SELECT '{{DefaultOrganizationId}}', name, roles FROM users;
        ALTER TABLE users DROP COLUMN roles;
        ALTER TABLE applications ADD COLUMN organization_id TEXT NOT NULL DEFAULT '{{DefaultOrganizationId}}';
        ALTER TABLE services ADD COLUMN organization_id TEXT NOT NULL DEFAULT '{{DefaultOrganizationId}}';
        CREATE INDEX applications_organization ON applications (organization_id);
        CREATE TABLE revoked_tokens (
            id TEXT PRIMARY KEY,
            expires_at TEXT NOT NULL);
        """;

    /// <summary>ObjectIds.Derived("organization", "root"): fixed here because a shipped migration must never change.</summary>
    internal const string DefaultOrganizationId = "960cb1b5f3f741e9f931baa9";

    /// <summary>Exactly the schema that data dirs written before versions existed have (user_version 0).</summary>
    private const string V1 = """
        CREATE TABLE IF NOT EXISTS settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL);

        CREATE TABLE IF NOT EXISTS users (
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            roles TEXT NOT NULL,
            email TEXT,
            created_at TEXT NOT NULL);

        CREATE TABLE IF NOT EXISTS applications (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            namespace TEXT NOT NULL,
            description TEXT,
            owner TEXT NOT NULL,
            deleting INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS applications_owner_name ON applications (owner, name, namespace);

        CREATE TABLE IF NOT EXISTS services (
            id TEXT PRIMARY KEY,
            application_id TEXT NOT NULL,
            owner TEXT NOT NULL,
            app_name TEXT NOT NULL,
            app_ns TEXT NOT NULL,
            service_name TEXT NOT NULL,
            service_ns TEXT NOT NULL,
            job_name TEXT NOT NULL,
            microservice TEXT NOT NULL,
            rr_ip TEXT,
            vcpus REAL NOT NULL DEFAULT 0,
            memory_mb INTEGER NOT NULL DEFAULT 0,
            desired_instances INTEGER NOT NULL DEFAULT 1,
            next_instance_number INTEGER NOT NULL DEFAULT 0,
            deleting INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS services_application ON services (application_id);

        CREATE TABLE IF NOT EXISTS instances (
            service_id TEXT NOT NULL,
            instance_number INTEGER NOT NULL,
            status TEXT NOT NULL,
            status_detail TEXT,
            cluster_id TEXT,
            node_id TEXT,
            node_name TEXT,
            host_ip TEXT,
            host_port TEXT,
            cpu_percent REAL NOT NULL DEFAULT 0,
            memory REAL NOT NULL DEFAULT 0,
            memory_percent REAL NOT NULL DEFAULT 0,
            restart_count INTEGER NOT NULL DEFAULT 0,
            exit_code INTEGER,
            pid INTEGER,
            started_at TEXT,
            updated_at TEXT NOT NULL,
            deleting INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (service_id, instance_number));
        CREATE INDEX IF NOT EXISTS instances_cluster ON instances (cluster_id);

        CREATE TABLE IF NOT EXISTS instance_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            service_id TEXT NOT NULL,
            instance_number INTEGER NOT NULL,
            time TEXT NOT NULL,
            status TEXT NOT NULL,
            detail TEXT NOT NULL,
            cluster_name TEXT,
            node_name TEXT);
        CREATE INDEX IF NOT EXISTS instance_events_instance ON instance_events (service_id, instance_number, seq);

        CREATE TABLE IF NOT EXISTS clusters (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            location TEXT,
            manager_url TEXT,
            credential_hash TEXT NOT NULL,
            registered_at TEXT NOT NULL,
            last_seen TEXT,
            resources TEXT NOT NULL DEFAULT '{}');

        CREATE TABLE IF NOT EXISTS join_tokens (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            secret_hash TEXT NOT NULL UNIQUE,
            description TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT,
            expires_at TEXT,
            revoked INTEGER NOT NULL DEFAULT 0);
        """;
}
