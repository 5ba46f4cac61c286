using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>What only the vm runtime logs (ids 85xx); the messages every runtime writes are <see cref="RuntimeLog"/> (ids 8502-8511).</summary>
internal static partial class VmLog
{
    [LoggerMessage(EventId = 8520, Level = LogLevel.Information, Message = "vm runtime: trying KVM by booting {Kernel}")]
    public static partial void Probing(ILogger logger, string kernel);

    [LoggerMessage(EventId = 8521, Level = LogLevel.Information, Message = "vm runtime: guests run under {Note}")]
    public static partial void Accelerator(ILogger logger, string note);

    [LoggerMessage(EventId = 8522, Level = LogLevel.Warning, Message = "vm runtime not offered: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);
}
