using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Exec;

internal static partial class ExecLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Instance {Instance} started: pid {Pid}{Note}")]
    public static partial void Started(ILogger logger, string instance, int pid, string note);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Instance {Instance} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string instance, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Instance {Instance} exited: {Detail}; {Outcome}")]
    public static partial void Exited(ILogger logger, string instance, string detail, string outcome);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Instance {Instance} adopted: pid {Pid} still runs")]
    public static partial void Adopted(ILogger logger, string instance, int pid);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Instance {Instance} stopped")]
    public static partial void Stopped(ILogger logger, string instance);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Instance {Instance} removed")]
    public static partial void Removed(ILogger logger, string instance);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Instance directory {Dir} skipped: {Reason}")]
    public static partial void SkippedDirectory(ILogger logger, string dir, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Instance {Instance}: status change {From} -> {To} refused by the transition table")]
    public static partial void RefusedTransition(ILogger logger, string instance, string from, string to);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Instance {Instance}: {Action} failed")]
    public static partial void ActionFailed(ILogger logger, Exception exception, string instance, string action);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Instance {Instance} did not stop within {Grace}; killed")]
    public static partial void Killed(ILogger logger, string instance, TimeSpan grace);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "Instance {Instance}: log rotated")]
    public static partial void Rotated(ILogger logger, string instance);
}
