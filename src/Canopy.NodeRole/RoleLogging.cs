using Microsoft.Extensions.Logging;

namespace Canopy.NodeRole;

/// <summary>One line per message with the time and the tier, as every Canopy process logs to its console.</summary>
public static class RoleLogging
{
    /// <param name="stopping">True while the process stops its tiers: a lower tier then sees its parent go, which is expected.</param>
    /// <param name="starting">True while a host starts, when its caller reports a failed start itself (once, without a stack trace).</param>
    public static void Configure(ILoggingBuilder logging, LogLevel level, string tier, Func<bool> stopping, Func<bool>? starting = null)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter((_, _, l) => l >= (stopping() ? LogLevel.Error : level));
        logging.AddFilter("Microsoft", level > LogLevel.Warning ? level : LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        if (starting is not null)
        {
            logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", l => !starting() && l >= LogLevel.Warning);
        }

        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = $"HH:mm:ss.fff '[{tier}]' ";
        });
    }
}
