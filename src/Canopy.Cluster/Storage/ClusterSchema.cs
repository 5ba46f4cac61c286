using Canopy.Storage;

namespace Canopy.Cluster.Storage;

/// <summary>
/// The cluster store's schema, one migration per version (see <see cref="SchemaMigrations"/>). Add a step at the end, never
/// change one that shipped: data dirs out there are at every version. Plain SQL so that the PostgreSQL provider can run the same list.
/// </summary>
internal static class ClusterSchema
{
    public static readonly SchemaMigrations Migrations = new(
        "cluster store",
        ["nodes", "services", "instances", "settings", "node_tokens"],
        new SchemaMigration(1, "the schema before versions existed", V1, SchemaMigration.PostgresTypes(V1)),
        new SchemaMigration(2, "node secrets; node join tokens limited to a number of uses", """
            ALTER TABLE nodes ADD COLUMN secret_hash TEXT;
            CREATE INDEX nodes_secret ON nodes(secret_hash);
            ALTER TABLE node_tokens ADD COLUMN max_uses INTEGER;
            ALTER TABLE node_tokens ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
            """),
        new SchemaMigration(3, "net manager: instance addresses; the node subnet blocks the root gave", """
            ALTER TABLE instances ADD COLUMN instance_ip TEXT;
            CREATE TABLE subnet_blocks (
                position INTEGER PRIMARY KEY,
                block TEXT NOT NULL UNIQUE);
            """));

    /// <summary>Exactly the schema that data dirs written before versions existed have (user_version 0).</summary>
    private const string V1 = """
        CREATE TABLE IF NOT EXISTS nodes (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            ip TEXT,
            static_info TEXT NOT NULL,
            mqtt_password TEXT NOT NULL,
            subnet TEXT,
            registered_at TEXT NOT NULL,
            last_seen TEXT,
            active INTEGER NOT NULL DEFAULT 0,
            information TEXT);
        CREATE INDEX IF NOT EXISTS nodes_host ON nodes(host);
        CREATE TABLE IF NOT EXISTS services (
            service_id TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS instances (
            service_id TEXT NOT NULL,
            instance_number INTEGER NOT NULL,
            node_id TEXT,
            node_name TEXT,
            status TEXT NOT NULL,
            detail TEXT,
            cpu_percent REAL,
            memory REAL,
            memory_percent REAL,
            restart_count INTEGER NOT NULL DEFAULT 0,
            exit_code INTEGER,
            pid INTEGER,
            host_ip TEXT,
            host_port TEXT,
            started_at TEXT,
            updated_at TEXT NOT NULL,
            deleting INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (service_id, instance_number));
        CREATE INDEX IF NOT EXISTS instances_node ON instances(node_id);
        CREATE TABLE IF NOT EXISTS settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS node_tokens (
            id TEXT PRIMARY KEY,
            secret_hash TEXT NOT NULL UNIQUE,
            description TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT,
            expires_at TEXT,
            revoked INTEGER NOT NULL DEFAULT 0);
        """;
}
