using System.Threading.Channels;
using Canopy.Contracts.Link;
using Canopy.Hosting.Channels;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// The root's messages are handled in the order they came, by one loop apart from the one reading the socket: deploys that queue
/// up while the cluster is busy (a scale to 1,000 sends 1,000) are placed together, one pass and one store transaction.
/// </summary>
internal sealed partial class RootLinkSession
{
    /// <summary>The most deploys placed in one pass: a pass holds the cluster gate, which node messages also wait for.</summary>
    internal const int MaxDeployBatch = 256;

    private const int InboxCapacity = 4096;

    /// <summary>Returns when the root closes the link (after what it sent is handled), throws when the socket breaks.</summary>
    private async Task InboundAsync(CancellationToken ct)
    {
        var inbox = Channel.CreateBounded<LinkMessage>(new BoundedChannelOptions(InboxCapacity) { SingleReader = true, SingleWriter = true });
        var handling = HandleLoopAsync(inbox.Reader, ct);
        try
        {
            await ReceiveLoopAsync(inbox.Writer, ct);
        }
        finally
        {
            inbox.Writer.TryComplete();
            await handling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task HandleLoopAsync(ChannelReader<LinkMessage> inbox, CancellationToken ct)
    {
        while (await inbox.WaitToReadAsync(ct))
        {
            while (inbox.TryRead(out var message))
            {
                if (message.Type != LinkMessageTypes.Deploy)
                {
                    await HandleAsync(message, ct);
                    continue;
                }

                await DeployAsync(inbox.TakeRun(message, MaxDeployBatch, next => next.Type == LinkMessageTypes.Deploy), ct);
            }
        }
    }

    private async Task DeployAsync(List<LinkMessage> batch, CancellationToken ct)
    {
        if (batch.Count == 1)
        {
            await HandleAsync(batch[0], ct);
            return;
        }

        var deploys = new List<DeployInstance>(batch.Count);
        foreach (var message in batch)
        {
            try
            {
                deploys.Add(message.Read<DeployInstance>());
            }
            catch (System.Text.Json.JsonException e)
            {
                Log.Failed(logger, e, message.Type);
            }
        }

        try
        {
            await gate.RunAsync(() => commands.DeployAllAsync(deploys, ct), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.Failed(logger, e, $"{LinkMessageTypes.Deploy} (a batch of {deploys.Count})");
        }
    }
}
