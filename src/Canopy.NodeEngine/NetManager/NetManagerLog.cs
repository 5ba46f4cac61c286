using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.NetManager;

internal static partial class NetManagerLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information,
        Message = "Overlay ready: VXLAN device {Device} (MAC {Mac}, UDP port {Port}, MTU {Mtu}), nftables table ip {Table}")]
    public static partial void Prepared(ILogger logger, string device, string mac, int port, int mtu, string table);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
        Message = "This node runs without an overlay: {Reason}. Its instances cannot reach services or instances on other nodes, nor be reached through service IPs")]
    public static partial void Unavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information,
        Message = "Net table {Version} applied: {Services} service(s), {Peers} peer(s); {HostsFiles} hosts file(s) rewritten")]
    public static partial void Applied(ILogger logger, long version, int services, int peers, int hostsFiles);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Applying net table {Version} failed; the kernel keeps the previous one")]
    public static partial void ApplyFailed(ILogger logger, Exception error, long version);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "The cluster withdrew this node's net table: routes and service rules removed")]
    public static partial void Withdrawn(ILogger logger);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Telling the overlay this node's identity ({NodeId}, {Subnet}) failed")]
    public static partial void IdentityFailed(ILogger logger, Exception error, string nodeId, string subnet);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Rewriting the hosts file {Path} failed")]
    public static partial void HostsFileFailed(ILogger logger, Exception error, string path);
}
