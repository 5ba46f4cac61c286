using System.Text.Json;

namespace Canopy.Contracts.Link;

/// <summary>
/// One message on the cluster → root WebSocket (<c>/api/v1/clusters/{id}/link</c>): a <see cref="Type"/> from
/// <see cref="LinkMessageTypes"/>, a per-sender sequence number, and the payload for that type.
/// </summary>
public sealed record LinkMessage(string Type, long Seq, JsonElement Payload)
{
    public static LinkMessage Create<T>(string type, long seq, T payload) =>
        new(type, seq, JsonSerializer.SerializeToElement(payload, CanopyJson.Options));

    public T Read<T>() => Payload.Deserialize<T>(CanopyJson.Options)
        ?? throw new JsonException($"link message '{Type}' has no payload");
}
