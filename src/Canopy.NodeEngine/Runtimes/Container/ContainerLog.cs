using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>What only the container runtime logs; the messages every runtime writes are <see cref="RuntimeLog"/> (ids 5002-5009, 5015).</summary>
internal static partial class ContainerLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Instance {Instance} started: container {ContainerId} in sandbox {SandboxId} ({Elapsed} ms{Note})")]
    public static partial void Started(ILogger logger, string instance, string containerId, string sandboxId, long elapsed, string note);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Instance {Instance} adopted: container {ContainerId} still runs")]
    public static partial void Adopted(ILogger logger, string instance, string containerId);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Pulled image {Image} in {Elapsed} ms")]
    public static partial void Pulled(ILogger logger, string image, long elapsed);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Removed orphan {Kind} {Id} (instance {Instance} has no state on this node)")]
    public static partial void Orphan(ILogger logger, string kind, string id, string instance);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Container runtime unavailable: {Reason}; retrying in {Delay}")]
    public static partial void Unavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "containerd stopped answering: {Reason}")]
    public static partial void Lost(ILogger logger, string reason);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Container runtime ready on {Socket}: {Count} instance(s) adopted")]
    public static partial void Ready(ILogger logger, string socket, int count);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Warning, Message = "The cluster's subnet {Subnet} is not an IPv4 CIDR; containers cannot get addresses")]
    public static partial void BadSubnet(ILogger logger, string subnet);
}
