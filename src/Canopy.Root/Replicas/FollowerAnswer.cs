using System.Text.Json;
using Canopy.Contracts;
using Canopy.Hosting;
using Microsoft.AspNetCore.Http;

namespace Canopy.Root.Replicas;

/// <summary>
/// What a follower answers a cluster that opens its link here: go to the leader. 421 Misdirected Request with the leader's URL in
/// the <see cref="LeaderHeader"/> header and in the problem's <c>leader_url</c> field (with <c>leader_id</c> and <c>term</c>);
/// 503 with <c>Retry-After: 1</c> and no URL while no replica leads (an election takes up to the lease). The same answer refuses
/// API requests that need a cluster's live answer (<see cref="LeaderOnly"/>).
/// </summary>
internal static class FollowerAnswer
{
    public const string LeaderHeader = "Canopy-Leader";

    public static Task WriteAsync(HttpContext context, RootLeadership leadership, string why = "clusters link to the leader")
    {
        var leader = leadership.Leader is { } known && known.ReplicaId != leadership.ReplicaId && known.Url.Length > 0 ? known : null;
        var status = leader is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status421MisdirectedRequest;
        var body = new Dictionary<string, object?>
        {
            ["type"] = $"https://httpstatuses.io/{status}",
            ["title"] = leader is null ? "No leader" : "Not the leader",
            ["status"] = status,
            ["detail"] = leader is null
                ? $"root replica {leadership.ReplicaId} does not lead and no replica leads right now (an election takes a few seconds); try again"
                : $"root replica {leadership.ReplicaId} does not lead; the leader is {leader.Url} (replica {leader.ReplicaId}, term {leader.Term}): {why}",
            ["instance"] = context.Request.Path.Value,
        };
        if (leader is not null)
        {
            body["leader_url"] = leader.Url;
            body["leader_id"] = leader.ReplicaId;
            body["term"] = leader.Term;
            context.Response.Headers[LeaderHeader] = leader.Url;
        }
        else
        {
            context.Response.Headers.RetryAfter = "1";
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = ProblemJson.ContentType;
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, CanopyJson.Options), context.RequestAborted);
    }
}
