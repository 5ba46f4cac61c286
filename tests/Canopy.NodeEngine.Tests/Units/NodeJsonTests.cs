using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;
using Canopy.Core.States;
using Canopy.NodeEngine.ClusterLink;
using Canopy.NodeEngine.Runtimes.Exec;
using Canopy.NodeEngine.Runtimes.Processes;

namespace Canopy.NodeEngine.Tests.Units;

/// <summary>
/// The native node has no reflection: its JSON comes from the source-generated contexts alone. Here those contexts, with
/// nothing else behind them, must write and read exactly what reflection did before (the JIT tiers on the other side).
/// </summary>
public sealed class NodeJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<object> Messages() =>
    [
        new InstanceReport { ServiceId = "s1", InstanceNumber = 2, Status = InstanceStatus.Running, NodeId = "n1", Pid = 42, Timestamp = At },
        new JobsResources([new InstanceReport { ServiceId = "s1", Status = InstanceStatus.Failed, ExitCode = 3, Timestamp = At }]),
        new NodeStatus(NodeStatus.Online, At),
        new NodeInformation
        {
            CpuPercent = 1.5, Architecture = "amd64", Virtualization = ["exec"], Timestamp = At,
            Extra = new() { ["gpu"] = JsonSerializer.SerializeToElement(2L, ContractsJsonContext.Default.Int64) },
        },
        new NodeRegisterRequest
        {
            JoinToken = "t", Host = "h", Virtualization = ["exec", "container"], SystemInfo = new() { ["kernel"] = "6" },
            Extra = new() { ["gpu_model"] = JsonSerializer.SerializeToElement("a2", ContractsJsonContext.Default.String) },
        },
        new NodeRegisterResponse("n1", new MqttCredentials("127.0.0.1", 10003, "u", "p", Tls: true), "10.18.0.64/26"),
        new DeleteCommand("s1", 0, "job"),
        new LogsResult("r", "s1", 0, "hello\n"),
        new NodeIdentity("n1", "secret", "sha256:abc"),
        new ProcessState { Status = InstanceStatus.Running, Pid = 7, StartTime = 99, Uid = 1000, StartedAt = At },
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void SourceGenerated_WritesWhatReflectionWrote(object message)
    {
        var native = NativeOptions();
        var reflection = ReflectionOptions();

        var written = JsonSerializer.Serialize(message, native.GetTypeInfo(message.GetType()));

        written.ShouldBe(JsonSerializer.Serialize(message, reflection.GetTypeInfo(message.GetType())));
        JsonSerializer.Serialize(JsonSerializer.Deserialize(written, native.GetTypeInfo(message.GetType())), native.GetTypeInfo(message.GetType()))
            .ShouldBe(written);
    }

    [Fact]
    public void EveryTypeOfTheContexts_HasUsableMetadataWithoutReflection()
    {
        var native = NativeOptions();
        var types = new[] { typeof(NodeEngineJsonContext), typeof(ContractsJsonContext) }
            .SelectMany(c => c.GetCustomAttributesData())
            .Where(a => a.AttributeType == typeof(System.Text.Json.Serialization.JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!)
            .ToList();

        types.Count.ShouldBeGreaterThan(15);
        foreach (var type in types)
        {
            Should.NotThrow(() => native.GetTypeInfo(type).Properties.Count, type.Name);
        }
    }

    [Fact]
    public void SourceGenerated_ReadsEnumsByNameAsTheClusterWritesThem()
    {
        var json = JsonSerializer.Serialize(new InstanceReport { ServiceId = "s", Status = InstanceStatus.Dead, Timestamp = At }, ReflectionOptions());

        JsonSerializer.Deserialize(json, CanopyJson.TypeInfo<InstanceReport>(NativeOptions()))!.Status.ShouldBe(InstanceStatus.Dead);
    }

    /// <summary>What the native node has: Canopy's settings, no reflection, no reflection-based enum converter.</summary>
    private static JsonSerializerOptions NativeOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        CanopyJson.Configure(options);
        options.Converters.Clear();
        options.TypeInfoResolverChain.Clear();
        options.TypeInfoResolverChain.Add(NodeEngineJsonContext.Default);
        options.TypeInfoResolverChain.Add(ContractsJsonContext.Default);
        return options;
    }

    /// <summary>What every tier had before the contexts: Canopy's settings over reflection.</summary>
    private static JsonSerializerOptions ReflectionOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        CanopyJson.Configure(options);
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        return options;
    }
}
