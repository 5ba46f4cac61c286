using System.Text.Json;
using System.Text.Json.Serialization;
using Canopy.Contracts;
using Canopy.NodeEngine.ClusterLink;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Runtimes.Container;
using Canopy.NodeEngine.Runtimes.Processes;

namespace Canopy.NodeEngine;

/// <summary>
/// The node engine's JSON: Canopy's wire settings (<see cref="CanopyJson"/>) over source-generated metadata for the files it
/// keeps (node.json, instance states, its network record) and the wire types, so the native <c>canopy-node</c> needs no
/// reflection; the JIT node takes the same path.
/// </summary>
internal static class NodeJson
{
    public static JsonSerializerOptions Options { get; } = CanopyJson.Create(indented: false, NodeEngineJsonContext.Default);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, CanopyJson.TypeInfo<T>(Options));

    public static byte[] SerializeToUtf8<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, CanopyJson.TypeInfo<T>(Options));

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, CanopyJson.TypeInfo<T>(Options));

    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize(utf8, CanopyJson.TypeInfo<T>(Options));
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(NodeIdentity))]
[JsonSerializable(typeof(NodeNetworkRecord))]
[JsonSerializable(typeof(ProcessState))]
[JsonSerializable(typeof(ContainerInstanceState))]
internal sealed partial class NodeEngineJsonContext : JsonSerializerContext;
