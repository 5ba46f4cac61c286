using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Network;

internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Removed the leftovers of node {DataDir}, whose data dir is gone: bridge {Bridge}, {Rules} CNI rule set(s), {Processes} process(es), {Mounts} mount(s)")]
    public static partial void LeftoversRemoved(ILogger logger, string dataDir, string bridge, int rules, int processes, int mounts);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Removing the leftovers of node {DataDir} (bridge {Bridge}) failed")]
    public static partial void LeftoversFailed(ILogger logger, Exception error, string dataDir, string bridge);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning,
        Message = "The container subnet {Subnet} lies inside route {Route} ({What}): hosts of that network in {Subnet} are unreachable from this machine while it runs containers")]
    public static partial void BroaderRoute(ILogger logger, string subnet, string route, string what);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Waited {Seconds} s for the registration lock {Path}; registering without it")]
    public static partial void RegistrationLockTimeout(ILogger logger, double seconds, string path);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Removed this node's kernel state: bridge {Bridge}, {Rules} CNI rule set(s), {Processes} process(es), {Mounts} mount(s)")]
    public static partial void Removed(ILogger logger, string bridge, int rules, int processes, int mounts);
}
