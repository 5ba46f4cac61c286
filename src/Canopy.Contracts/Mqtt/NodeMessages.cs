namespace Canopy.Contracts.Mqtt;

/// <summary>cluster → node: run instance <see cref="InstanceNumber"/> of <see cref="Service"/>.</summary>
public sealed record DeployCommand(ServiceSpec Service, int InstanceNumber);

/// <summary>cluster → node: stop and remove an instance (<see cref="InstanceNumber"/> −1 = all of the service).</summary>
public sealed record DeleteCommand(string ServiceId, int InstanceNumber, string JobName = "");

/// <summary>node → cluster: every instance the node holds, with metrics. Sent when it changes materially, at least once a minute and after every (re)connect.</summary>
public sealed record JobsResources(IReadOnlyList<InstanceReport> Services);

/// <summary>Retained on <c>nodes/&lt;id&gt;/status</c>: <c>online</c> when connected, <c>offline</c> as the last will or on clean stop.</summary>
public sealed record NodeStatus(string Status, DateTimeOffset Timestamp)
{
    public const string Online = "online";
    public const string Offline = "offline";
}

public sealed record LogsRequest(string RequestId, string ServiceId, int InstanceNumber, int Tail);

public sealed record LogsResult(string RequestId, string ServiceId, int InstanceNumber, string Text, string? Error = null);

public sealed record ControlError(string Message);
