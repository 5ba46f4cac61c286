using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Container;

internal static partial class ContainerLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Instance {Instance} started: container {ContainerId} in sandbox {SandboxId} ({Elapsed} ms{Note})")]
    public static partial void Started(ILogger logger, string instance, string containerId, string sandboxId, long elapsed, string note);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Instance {Instance} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string instance, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Instance {Instance} exited: {Detail}; {Outcome}")]
    public static partial void Exited(ILogger logger, string instance, string detail, string outcome);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Instance {Instance} adopted: container {ContainerId} still runs")]
    public static partial void Adopted(ILogger logger, string instance, string containerId);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Instance {Instance} stopped")]
    public static partial void Stopped(ILogger logger, string instance);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Instance {Instance} removed")]
    public static partial void Removed(ILogger logger, string instance);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Instance directory {Dir} skipped: {Reason}")]
    public static partial void SkippedDirectory(ILogger logger, string dir, string reason);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Instance {Instance}: status change {From} -> {To} refused by the transition table")]
    public static partial void RefusedTransition(ILogger logger, string instance, string from, string to);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Instance {Instance}: {Action} failed")]
    public static partial void ActionFailed(ILogger logger, Exception exception, string instance, string action);

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

    [LoggerMessage(EventId = 5015, Level = LogLevel.Debug, Message = "Instance {Instance}: log rotated")]
    public static partial void Rotated(ILogger logger, string instance);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Warning, Message = "The cluster's subnet {Subnet} is not an IPv4 CIDR; containers cannot get addresses")]
    public static partial void BadSubnet(ILogger logger, string subnet);
}
