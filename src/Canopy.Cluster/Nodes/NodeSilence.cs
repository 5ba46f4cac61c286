namespace Canopy.Cluster.Nodes;

/// <summary>
/// The fallback liveness decision. A lost node is normally seen by its MQTT connection (keep-alive, last will); this catches a node
/// whose will never came (a broker that lost it, a node without keep-alive) after a long silence.
/// </summary>
internal static class NodeSilence
{
    /// <summary>Why the node counts as lost now, or null while it does not.</summary>
    /// <param name="heard">When any message of the node (or its <c>online</c>) last arrived; null when never since this start.</param>
    /// <param name="startedAt">This cluster's start: what was heard before it does not count.</param>
    /// <param name="timeout">Silence allowed to a node heard since this start.</param>
    /// <param name="reconnect">Time a node saved as active gets from this start to show up again.</param>
    public static string? Judge(DateTimeOffset? heard, DateTimeOffset startedAt, DateTimeOffset now, TimeSpan timeout, TimeSpan reconnect)
    {
        if (heard is { } at && at > startedAt)
        {
            return now - at > timeout ? $"nothing heard from it for {timeout.TotalSeconds:0.#} s" : null;
        }

        return now - startedAt > reconnect ? $"it did not reconnect within {reconnect.TotalSeconds:0.#} s of the cluster's start" : null;
    }
}
