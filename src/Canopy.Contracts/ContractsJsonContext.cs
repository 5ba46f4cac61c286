using System.Text.Json;
using System.Text.Json.Serialization;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Net;
using Canopy.Contracts.Registration;

namespace Canopy.Contracts;

/// <summary>
/// Compile-time JSON metadata for the wire types the node engine sends and receives (MQTT payloads, registration, the
/// net table, stored specs), so that the native <c>canopy-node</c> serializes without reflection. <see cref="CanopyJson"/>
/// puts it first in its resolver chain: the JIT tiers use the same metadata for these types. A type missing here still
/// works under the JIT (reflection fallback) but throws in the native node: add every type the node serializes.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(NodeRegisterRequest))]
[JsonSerializable(typeof(NodeRegisterResponse))]
[JsonSerializable(typeof(NodeLeaveRequest))]
[JsonSerializable(typeof(NodeInformation))]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(JobsResources))]
[JsonSerializable(typeof(InstanceReport))]
[JsonSerializable(typeof(DeployCommand))]
[JsonSerializable(typeof(DeleteCommand))]
[JsonSerializable(typeof(LogsRequest))]
[JsonSerializable(typeof(LogsResult))]
[JsonSerializable(typeof(ControlError))]
[JsonSerializable(typeof(NodeNetTable))]
[JsonSerializable(typeof(ServiceSpec))]
[JsonSerializable(typeof(ServiceSecrets))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
