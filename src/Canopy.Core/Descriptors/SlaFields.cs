using System.Collections.Frozen;

namespace Canopy.Core.Descriptors;

/// <summary>
/// The fields Oakestra's SLA schema (and its node engine) knows at each level, plus Canopy's additions.
/// Anything else is kept but earns a warning.
/// </summary>
internal static class SlaFields
{
    public static readonly FrozenSet<string> Document = Set("sla_version", "customerID", "applications", "args");

    public static readonly FrozenSet<string> Application = Set(
        "applicationID", "application_name", "application_namespace", "application_desc", "microservices");

    public static readonly FrozenSet<string> Microservice = Set(
        "microserviceID", "microservice_name", "microservice_namespace", "virtualization", "code", "cmd", "args",
        "environment", "memory", "vcpus", "vgpus", "vtpus", "storage", "bandwidth_in", "bandwidth_out", "port",
        "addresses", "one_shot", "privileged", "restart_policy", "instances", "constraints", "connectivity",
        "registry_secret", "secrets", "arch", "vm_images",
        // Oakestra fields Canopy keeps without using: state/added_files (schema), volumes (CSI),
        // sla_violation_strategy/target_node (schema only), platform (read by Oakestra's node engine).
        "state", "added_files", "volumes", "sla_violation_strategy", "target_node", "platform");

    public static readonly FrozenSet<string> SecretReference = Set("name", "key", "env", "file");

    private static FrozenSet<string> Set(params string[] names) => names.ToFrozenSet(StringComparer.Ordinal);
}
