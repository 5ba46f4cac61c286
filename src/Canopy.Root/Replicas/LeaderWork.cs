namespace Canopy.Root.Replicas;

internal static class LeaderWork
{
    /// <summary>
    /// Runs <paramref name="work"/> once per term this replica leads, under a token cancelled when the term ends, fenced by the
    /// term (<see cref="LeaderFence"/>); returns at shutdown. With the embedded store there is one endless term.
    /// </summary>
    public static async Task RunWhileLeaderAsync(this RootLeadership leadership, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            LeaderTerm term;
            try
            {
                term = await leadership.WaitUntilLeaderAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using var during = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term.Ended);
            try
            {
                await RunTermAsync(term, work, during.Token);
            }
            catch (OperationCanceledException) when (during.IsCancellationRequested)
            {
                // The term ended (or shutdown): wait for the next one.
            }
        }
    }

    // A method of its own so the fence set here flows into the work and no further.
    private static async Task RunTermAsync(LeaderTerm term, Func<CancellationToken, Task> work, CancellationToken ct)
    {
        LeaderFence.Enter(term);
        await work(ct);
    }
}
