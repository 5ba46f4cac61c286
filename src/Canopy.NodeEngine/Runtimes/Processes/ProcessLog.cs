using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>What only the process runtimes log; the messages every runtime writes are <see cref="RuntimeLog"/> (ids 2002-2009, 2011).</summary>
internal static partial class ProcessLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Instance {Instance} started: pid {Pid}{Note}")]
    public static partial void Started(ILogger logger, string instance, int pid, string note);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Instance {Instance} adopted: pid {Pid} still runs")]
    public static partial void Adopted(ILogger logger, string instance, int pid);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Instance {Instance} did not stop within {Grace}; killed")]
    public static partial void Killed(ILogger logger, string instance, TimeSpan grace);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Exec workloads run as unprivileged users, and {Dir} (mode {Mode}) does not let them pass: they reach their HOME only as their working directory, not by its path. Choose a data dir under a directory others may pass (e.g. /var/lib/canopy), or give {Dir} o+x")]
    public static partial void HomeUnreachable(ILogger logger, string dir, string mode);
}
