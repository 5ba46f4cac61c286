using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Root.Replicas;

/// <summary>
/// Routes that need a cluster's live answer (logs, nodes, node join tokens): only the leader holds the links, so a follower answers
/// with <see cref="FollowerAnswer"/> (421 naming the leader, which the CLI follows; 503 while none leads). Forwarding the request
/// itself would hide a dead leader behind a live follower and double every such request's failure modes; the client asking the
/// leader directly keeps one hop.
/// </summary>
internal static class LeaderOnly
{
    public static TBuilder RequireLeader<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var leadership = context.HttpContext.RequestServices.GetRequiredService<RootLeadership>();
            if (leadership.IsLeader)
            {
                return await next(context);
            }

            await FollowerAnswer.WriteAsync(context.HttpContext, leadership,
                "this request needs a cluster's answer, and only the leader holds the clusters' links");
            return Results.Empty;
        });
}
