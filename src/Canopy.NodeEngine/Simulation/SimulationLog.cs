using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Simulation;

internal static partial class SimulationLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "Simulated node {Node} failed; starting over")]
    public static partial void NodeFailed(ILogger logger, Exception error, string node);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Simulating {Count} nodes under {Dir}, joining {Cluster}")]
    public static partial void Starting(ILogger logger, int count, string dir, string cluster);
}
