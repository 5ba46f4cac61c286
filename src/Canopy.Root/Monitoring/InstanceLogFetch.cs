using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Store;

namespace Canopy.Root.Monitoring;

/// <summary>Asks the cluster that holds an instance for the last lines of its output (the cluster asks the node).</summary>
internal static class InstanceLogFetch
{
    /// <summary>The lines, or why there are none (in <see cref="InstanceLogs.Error"/>); never throws for an absent or silent cluster.</summary>
    public static async Task<InstanceLogs> FetchAsync(LinkHub hub, InstanceRecord instance, string? clusterName, int tail, CancellationToken ct)
    {
        if (instance.ClusterId is not { } clusterId)
        {
            return new InstanceLogs(instance.InstanceNumber, instance.NodeName, "",
                $"instance {instance.InstanceNumber} is not on a cluster ({instance.Status})");
        }

        try
        {
            var args = new JsonObject { ["service_id"] = instance.ServiceId, ["instance_number"] = instance.InstanceNumber, ["tail"] = tail };
            var answer = await hub.RequestAsync(clusterId, clusterName ?? clusterId, LinkRequestKinds.Logs, args, ct);
            return answer.Ok
                ? new InstanceLogs(instance.InstanceNumber, instance.NodeName, ReadText(answer.Body))
                : new InstanceLogs(instance.InstanceNumber, instance.NodeName, "", answer.Error ?? "the cluster could not get the logs");
        }
        catch (ClusterUnavailableException e)
        {
            return new InstanceLogs(instance.InstanceNumber, instance.NodeName, "", e.Message);
        }
    }

    /// <summary>The logs answer is <c>{text}</c>; a bare string is taken too.</summary>
    private static string ReadText(JsonElement? body) => body switch
    {
        { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String => text.GetString()!,
        { ValueKind: JsonValueKind.String } s => s.GetString()!,
        _ => "",
    };
}
