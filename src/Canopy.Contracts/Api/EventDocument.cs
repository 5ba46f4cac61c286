namespace Canopy.Contracts.Api;

/// <summary>
/// One entry of the fleet's event stream (<c>GET /api/v1/events</c>, <c>?follow=true</c> as Server-Sent Events, <c>canopy
/// events</c>, the dashboard): an instance changed state, a placement was decided or failed, a node or a cluster came or
/// went. <see cref="Id"/> grows with every event the root stores, so a reader resumes after the last one it saw
/// (<c>?after=ID</c> or the SSE <c>Last-Event-ID</c> header).
/// </summary>
public sealed record EventDocument
{
    public long Id { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>One of <see cref="EventKinds"/>.</summary>
    public string Kind { get; init; } = "";

    /// <summary>What the subject reached: an instance status wire name (<c>RUNNING</c>, <c>DEAD</c>...), <c>placed</c> or
    /// <c>failed</c> for a placement, <c>active</c> or <c>inactive</c> for a node or a cluster.</summary>
    public string Status { get; init; } = "";

    /// <summary>Why, as a sentence a person reads ("exited with code 137; restarting in 0.5 s", "no cluster has 4 GB free").</summary>
    public string Reason { get; init; } = "";

    public string? ApplicationId { get; init; }

    public string? ApplicationName { get; init; }

    public string? ServiceId { get; init; }

    public string? ServiceName { get; init; }

    public int? InstanceNumber { get; init; }

    public string? ClusterId { get; init; }

    public string? ClusterName { get; init; }

    public string? NodeId { get; init; }

    public string? NodeName { get; init; }
}

/// <summary>The kinds of <see cref="EventDocument"/>; the SSE <c>event:</c> field carries the same word.</summary>
public static class EventKinds
{
    /// <summary>An instance reached a status (each transition the root stores).</summary>
    public const string Instance = "instance";

    /// <summary>The root or a cluster chose where an instance runs, or could not (status <c>placed</c> / <c>failed</c>).</summary>
    public const string Placement = "placement";

    /// <summary>A worker node became active or inactive in its cluster.</summary>
    public const string Node = "node";

    /// <summary>A cluster became active or inactive at the root.</summary>
    public const string Cluster = "cluster";

    public static readonly IReadOnlyList<string> All = [Instance, Placement, Node, Cluster];
}
