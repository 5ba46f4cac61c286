using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Containerd;

internal static partial class ContainerdLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Starting containerd ({Path}) with {Config}; log {Log}")]
    public static partial void Starting(ILogger logger, string path, string config, string log);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "containerd {Version} answers on {Socket} (pid {Pid}, {How}) in {Elapsed} ms")]
    public static partial void Ready(ILogger logger, string version, string socket, int pid, string how, long elapsed);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "containerd pid {Pid} (ours) does not answer on {Socket}; killing it and starting afresh")]
    public static partial void Stale(ILogger logger, int pid, string socket);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "containerd config changed; restarting containerd pid {Pid} (containers keep running in their shims)")]
    public static partial void ConfigChanged(ILogger logger, int pid);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Using the operator's containerd {Version} on {Socket}")]
    public static partial void External(ILogger logger, string version, string socket);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Container runtime disabled: {Reason}")]
    public static partial void Disabled(ILogger logger, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Container runtime unavailable: {Reason}")]
    public static partial void Unusable(ILogger logger, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Pause image {Image} built from {Busybox} and imported in {Elapsed} ms")]
    public static partial void PauseImported(ILogger logger, string image, string busybox, long elapsed);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Stopping containerd pid {Pid} with the node engine")]
    public static partial void Stopping(ILogger logger, int pid);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "CNI config {Path} written: bridge {Bridge}, subnet {Subnet}")]
    public static partial void CniWritten(ILogger logger, string path, string bridge, string subnet);
}
