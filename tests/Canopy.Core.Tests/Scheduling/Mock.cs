using System.Text.Json;
using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling.Tests;

/// <summary>Candidates and requests for placement tests: sensible defaults, each test changes what it is about.</summary>
internal static class Mock
{
    public static readonly GeoPoint Munich = new(48.1374, 11.5755);
    public static readonly GeoPoint Berlin = new(52.5200, 13.4050);

    public static Candidate Node(string name, double vcpus = 4, long memoryMb = 4096) => new()
    {
        Id = $"id-{name}",
        Name = name,
        Vcpus = vcpus,
        MemoryMb = memoryMb,
        MemoryAvailableMb = memoryMb,
        Virtualizations = [Virtualizations.Container, Virtualizations.Exec],
    };

    public static PlacementRequest Request(double vcpus = 1, int memoryMb = 64, string virtualization = "container", params SlaConstraint[] constraints) =>
        new()
        {
            ServiceId = "svc",
            Vcpus = vcpus,
            MemoryMb = memoryMb,
            Virtualization = virtualization,
            Constraints = constraints,
        };

    public static SlaConstraint Direct(string? cluster = null, string? node = null) => new() { Type = "direct", Cluster = cluster, Node = node };

    public static SlaConstraint Geo(GeoPoint location, double thresholdKm) =>
        new() { Type = "geo", Location = location.ToString(), Threshold = thresholdKm };

    public static IReadOnlyDictionary<string, JsonElement> Extra(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
}
