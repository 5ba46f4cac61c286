using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Hosting.Channels;

namespace Canopy.Root.ClusterLinks;

/// <summary>
/// A cluster's messages are handled in the order they came, by one loop apart from the one reading the socket. Status reports
/// that queued up meanwhile (a scale to 1,000 brings about 3,000) are applied side by side when they are about different
/// instances, so that the store commits them together instead of one transaction after another; a second report about the
/// same instance, or any other message, waits until those before it are done.
/// </summary>
internal sealed partial class LinkSession
{
    /// <summary>The most status reports applied side by side.</summary>
    internal const int MaxReportBatch = 256;

    private const int InboxCapacity = 4096;

    private async Task InboundAsync(ClusterConnection connection, CancellationToken ct)
    {
        var inbox = Channel.CreateBounded<LinkMessage>(new BoundedChannelOptions(InboxCapacity) { SingleReader = true, SingleWriter = true });
        var handling = HandleLoopAsync(connection, inbox.Reader, ct);
        try
        {
            await ReadLoopAsync(connection, inbox.Writer, ct);
        }
        finally
        {
            inbox.Writer.TryComplete();
            await handling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task HandleLoopAsync(ClusterConnection connection, ChannelReader<LinkMessage> inbox, CancellationToken ct)
    {
        while (await inbox.WaitToReadAsync(ct))
        {
            while (inbox.TryRead(out var message))
            {
                if (message.Type != LinkMessageTypes.InstanceStatus || !inbox.TryPeek(out var next) || next.Type != LinkMessageTypes.InstanceStatus)
                {
                    await HandleAsync(connection, message, ct);
                    continue;
                }

                var instances = new HashSet<(string, int)?> { InstanceOf(message) };
                var batch = inbox.TakeRun(message, MaxReportBatch,
                    queued => queued.Type == LinkMessageTypes.InstanceStatus && InstanceOf(queued) is { } key && instances.Add(key));

                await Task.WhenAll(batch.Select(m => HandleAsync(connection, m, ct)));
            }
        }
    }

    /// <summary>Which instance a report is about; null for one that cannot be read (handled alone, which logs it).</summary>
    private static (string, int)? InstanceOf(LinkMessage message)
    {
        try
        {
            var report = message.Read<InstanceReport>();
            return (report.ServiceId, report.InstanceNumber);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
