using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Instances;

internal static partial class InstancesLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Deploy {Instance} ({Virtualization})")]
    public static partial void Deploy(ILogger logger, string instance, string virtualization);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Delete {Instance}")]
    public static partial void Delete(ILogger logger, string instance);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Deploy {Instance} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string instance, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "{Operation} of {Instance} failed")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string operation, string instance);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Runtime {Runtime}: {Count} instance(s) recovered")]
    public static partial void Recovered(ILogger logger, string runtime, int count);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Stopping {Count} instance(s) with the node engine")]
    public static partial void StoppingAll(ILogger logger, int count);
}
