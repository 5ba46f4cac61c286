namespace Canopy.Core.Resources;

/// <summary>The canonical resource keys nodes report and clusters aggregate (Oakestra's names where it has one).</summary>
public static class ResourceKeys
{
    public const string CpuPercent = "cpu_percent";
    public const string Vcpus = "vcpus";

    /// <summary>Available memory in MB (Oakestra's meaning of <c>memory</c>).</summary>
    public const string Memory = "memory";

    /// <summary>Total memory in MB (Canopy addition).</summary>
    public const string MemoryTotal = "memory_total";

    public const string MemoryPercent = "memory_percent";
    public const string Virtualization = "virtualization";
    public const string Architecture = "architecture";

    /// <summary>Runtimes a worker (or a cluster's workers) has but cannot use now: runtime name → why (Canopy addition).</summary>
    public const string UnavailableRuntimes = "unavailable_runtimes";

    /// <summary>Runtimes whose privileged workloads a worker (or some worker of a cluster) allows (Canopy addition).</summary>
    public const string PrivilegedRuntimes = "privileged_runtimes";
    public const string ActiveNodes = "active_nodes";
    public const string Vgpus = "vgpus";
    public const string Vram = "vram";
    public const string SupportedAddons = "supported_addons";
    public const string CsiDrivers = "csi_drivers";
}
