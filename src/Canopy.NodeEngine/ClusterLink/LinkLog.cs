using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.ClusterLink;

internal static partial class LinkLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Registered with cluster {Cluster} as node {NodeId} ({Name})")]
    public static partial void Registered(ILogger logger, string cluster, string nodeId, string name);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Cluster {Cluster} unreachable ({Reason}); retrying in {Delay}")]
    public static partial void ClusterUnreachable(ILogger logger, string cluster, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Cluster {Cluster} refused this node ({Status}): {Why}; retrying in {Delay}")]
    public static partial void Refused(ILogger logger, string cluster, int status, string why, TimeSpan delay);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Cluster {Cluster} refused the registration with {Status}: {Body}; retrying in {Delay}")]
    public static partial void RegistrationRefused(ILogger logger, string cluster, int status, string body, TimeSpan delay);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Did not register with cluster {Cluster}, nothing was sent: {Why}; retrying in {Delay}")]
    public static partial void ClusterCertificateRefused(ILogger logger, string cluster, string why, TimeSpan delay);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Error, Message = "Did not connect to the broker {Host}:{Port}, nothing was sent: {Why}")]
    public static partial void BrokerCertificateRefused(ILogger logger, string host, int port, string why);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Connected to the cluster's broker {Host}:{Port} as {ClientId}, online")]
    public static partial void Connected(ILogger logger, string host, int port, string clientId);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Lost the connection to the cluster's broker: {Reason}")]
    public static partial void Disconnected(ILogger logger, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "The broker refused this node's credentials ({Result}); registering again")]
    public static partial void CredentialsRefused(ILogger logger, string result);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Broker {Host}:{Port} unreachable ({Reason}); retrying in {Delay}")]
    public static partial void BrokerUnreachable(ILogger logger, string host, int port, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "No connection to the broker for {Duration}; registering again")]
    public static partial void ReregisterAfterOutage(ILogger logger, TimeSpan duration);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "Cluster error on control/error: {Message}")]
    public static partial void ControlError(ILogger logger, string message);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Ignored a malformed message on {Topic}")]
    public static partial void Malformed(ILogger logger, Exception? exception, string topic);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "Handling {Topic} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Debug, Message = "Publishing on {Topic} failed")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "Node engine stopping: offline published, broker connection closed")]
    public static partial void Disconnecting(ILogger logger);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Error, Message = "The cluster session failed; starting over in {Delay}")]
    public static partial void SessionFailed(ILogger logger, Exception exception, TimeSpan delay);
}
