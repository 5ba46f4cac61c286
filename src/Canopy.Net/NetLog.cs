using Microsoft.Extensions.Logging;

namespace Canopy.Net;

internal static partial class NetLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information,
        Message = "Overlay device {Device} ready: VNI {Vni}, local {UnderlayIp}, UDP port {Port}, MTU {Mtu} ({Origin})")]
    public static partial void Prepared(ILogger logger, string device, int vni, string underlayIp, int port, int mtu, string origin);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Overlay address {Address}/32 on {Device} (node {NodeId})")]
    public static partial void Identity(ILogger logger, string address, string device, string nodeId);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Debug,
        Message = "Net table {Version} applied: {Services} services, {Peers} peers, rules {Rules}, overlay {Overlay}, in {Milliseconds:0.0} ms")]
    public static partial void Applied(ILogger logger, long version, int services, int peers, string rules, string overlay, double milliseconds);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Closest instances changed with new round-trip times: net table {Version} applied again")]
    public static partial void Reapplied(ILogger logger, long version);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "Re-applying the net table after new round-trip times failed")]
    public static partial void ReapplyFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning,
        Message = "Round-trip probes are off: cannot enter network namespace {NetNamespace} ({Reason})")]
    public static partial void ProbeUnavailable(ILogger logger, string netNamespace, string reason);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "Round-trip probes stopped")]
    public static partial void ProbeFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Information, Message = "Removed overlay device {Device} and nftables table {Table}")]
    public static partial void Removed(ILogger logger, string device, string table);

    [LoggerMessage(EventId = 9009, Level = LogLevel.Information,
        Message = "Overlay encrypted: WireGuard device {Device} (wireguard-go, UDP port {Port}, public key {PublicKey}), VXLAN MTU {Mtu}")]
    public static partial void Encrypted(ILogger logger, string device, int port, string publicKey, int mtu);

    [LoggerMessage(EventId = 9010, Level = LogLevel.Warning,
        Message = "Not connected to overlay peer(s) {Peers}: {Why}, and overlay traffic never goes in plain text to or from an encrypting node")]
    public static partial void PeersMismatched(ILogger logger, string peers, string why);
}
