using System.CommandLine;
using System.Runtime.InteropServices;

namespace Canopy.NodeRole;

/// <summary>
/// Runs a parsed command with Ctrl-C and SIGTERM cancelling its token, so that it finishes its own shutdown (stopping
/// tiers may take a few seconds); System.CommandLine's own handling would end the process with 130 after a fixed timeout.
/// Exceptions reach the caller.
/// </summary>
public static class SignalOwnedInvocation
{
    public static async Task<int> InvokeAsync(ParseResult parse)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await parse.InvokeAsync(config, stop.Token);
    }
}
