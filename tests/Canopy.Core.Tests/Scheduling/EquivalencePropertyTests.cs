using System.Text.Json;
using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling.Tests;

/// <summary>
/// Core's placement (made fast for thousands of candidates) decides exactly as <see cref="ReferencePlacement"/>, the
/// straightforward version, over generated fleets and requests: the same candidate chosen, the same refusals with the same phrases.
/// The generator mixes what the fast paths take shortcuts on: names that differ in case, duplicate names and ids, runtimes
/// spelled many ways, labels of every JSON kind, locations near and far, and every constraint type.
/// </summary>
public class EquivalencePropertyTests
{
    private static readonly string[] Names = ["a", "A", "b", "edge-1", "Edge-1", "edge-2", "c"];
    private static readonly string[] Runtimes = ["container", "exec", "docker", " EXEC ", "unikernel", "Container", "wasm", "vm", "crosvm"];
    private static readonly string[] Architectures = ["amd64", "arm64", "x86_64", "AArch64", "sparc", "386"];
    private static readonly string[] Labels =
    [
        """{}""", """{"gpu": true}""", """{"gpu": "false"}""", """{"GPU": 1}""", """{"gpu": 0}""", """{"gpu": []}""", """{"gpu": {"a": 1}}""",
        """{"features": ["camera", "Lidar"]}""", """{"features": "CAMERA"}""", """{"supported_addons": [["tpm"]], "gpu": "yes"}""",
        """{"features": ["caméra"]}""",
    ];

    [Fact]
    public void Place_GeneratedInputs_DecidesAsTheReference()
    {
        var random = new Random(11);
        var (placed, refused) = (0, 0);
        for (var run = 0; run < 4_000; run++)
        {
            var candidates = Enumerable.Range(0, random.Next(0, 30)).Select(i => RandomCandidate(random, i)).ToList();
            var request = RandomRequest(random);
            var tier = random.Next(2) == 0 ? PlacementTier.Root : PlacementTier.Cluster;
            var sequence = random.NextInt64(-5, 100);
            foreach (var algorithm in PlacementAlgorithms.Names)
            {
                var expected = ReferencePlacement.Place(request, candidates, algorithm, tier, sequence);
                var actual = Placement.Place(request, candidates, PlacementAlgorithms.Get(algorithm), tier, sequence);

                var context = $"run {run}, {algorithm}, {tier}";
                actual.Chosen.ShouldBeSameAs(expected.Chosen, context);
                actual.Rejections.Select(Describe).ToList().ShouldBe(expected.Rejections.Select(Describe).ToList(), context);
                (placed, refused) = actual.Succeeded ? (placed + 1, refused) : (placed, refused + 1);
            }
        }

        // Both outcomes, many times, or the property says little.
        placed.ShouldBeGreaterThan(3_000);
        refused.ShouldBeGreaterThan(3_000);
    }

    [Fact]
    public void Place_RoundRobinOverUnorderedCandidates_TakesTheSortedOrdersTurn()
    {
        var random = new Random(12);
        for (var run = 0; run < 300; run++)
        {
            // Many candidates, few distinct names: the selection must keep equal ones in the order they came, as the sort did.
            var candidates = Enumerable.Range(0, random.Next(1, 400))
                .Select(i => Mock.Node(Names[random.Next(Names.Length)]) with { Id = $"id-{random.Next(5)}" })
                .ToList();
            var sequence = random.NextInt64(-1_000, 1_000);
            var expected = ReferencePlacement.Place(Mock.Request(), candidates, PlacementAlgorithms.RoundRobin, PlacementTier.Cluster, sequence);

            Placement.Place(Mock.Request(), candidates, PlacementAlgorithms.Get(PlacementAlgorithms.RoundRobin), PlacementTier.Cluster, sequence)
                .Chosen.ShouldBeSameAs(expected.Chosen, $"run {run}");
        }
    }

    private static string Describe(Rejection r) => $"{r.CandidateName} {r.Reason}: {r.Explanation}";

    private static Candidate RandomCandidate(Random random, int index)
    {
        var vcpus = random.Next(0, 9) / 2.0;
        var memory = random.Next(0, 9) * 512L;
        var name = Names[random.Next(Names.Length)];
        return new Candidate
        {
            Id = random.Next(4) == 0 ? "same-id" : $"id-{index}",
            Name = name,
            Active = random.Next(8) != 0,
            Vcpus = vcpus,
            MemoryMb = memory,
            CpuPercent = random.Next(-10, 120),
            MemoryPercent = random.Next(0, 101),
            ReservedVcpus = Math.Round(random.NextDouble() * vcpus * 2, 2),
            ReservedMemoryMb = random.NextInt64(0, memory + 1),
            CpuOvercommit = random.Next(3) == 0 ? 4 : 1,
            Virtualizations = Pick(random, Runtimes, random.Next(0, 3)),
            PrivilegedRuntimes = Pick(random, Runtimes, random.Next(0, 2)),
            UnavailableRuntimes = random.Next(5) == 0 ? new Dictionary<string, string> { ["vm"] = "no qemu", ["exec"] = "no busybox" } : new Dictionary<string, string>(),
            Architectures = Pick(random, Architectures, random.Next(0, 3)),
            Location = random.Next(4) == 0 ? null : new GeoPoint(45 + (random.NextDouble() * 10), 5 + (random.NextDouble() * 12)),
            Extra = random.Next(3) == 0
                ? Mock.Extra(Labels[random.Next(Labels.Length)])
                : random.Next(2) == 0 ? new Dictionary<string, JsonElement>() : new SortedList<string, JsonElement>(Mock.Extra(Labels[random.Next(Labels.Length)]).ToDictionary()),
            Aliases = random.Next(3) == 0 ? [name, $"id-{index}", "HOST-X"] : [name, $"id-{index}"],
        };
    }

    private static PlacementRequest RandomRequest(Random random) => new()
    {
        ServiceId = "svc",
        Vcpus = new[] { 0, 0.1, 0.5, 1, 3, -1 }[random.Next(6)],
        MemoryMb = new[] { 0, 64, 1024, 4096 }[random.Next(4)],
        Virtualization = Runtimes[random.Next(Runtimes.Length)],
        Architectures = random.Next(3) == 0 ? Pick(random, Architectures, random.Next(1, 3)) : [],
        Privileged = random.Next(5) == 0,
        Constraints = [.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => RandomConstraint(random))],
    };

    private static SlaConstraint RandomConstraint(Random random) => random.Next(5) switch
    {
        0 => Mock.Direct(cluster: Join(random), node: Join(random)),
        1 => new SlaConstraint { Type = "clusters", Allowed = [.. Pick(random, Names, random.Next(0, 4)), " "] },
        2 => Mock.Geo(new GeoPoint(48 + random.NextDouble(), 11 + random.NextDouble()), new[] { 50, 200, 600 }[random.Next(3)]),
        3 => new SlaConstraint { Type = random.Next(2) == 0 ? "addons" : "LABELS", Needs = [.. Pick(random, ["gpu", "camera", "tpm", "Lidar", "psql"], random.Next(1, 3))] },
        _ => new SlaConstraint { Type = "latency", Threshold = 10 },
    };

    private static string Join(Random random) => string.Join(";", Pick(random, [.. Names, "host-x", "id-3", "nowhere"], random.Next(0, 3)));

    private static List<string> Pick(Random random, string[] from, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => from[random.Next(from.Length)])];
}
