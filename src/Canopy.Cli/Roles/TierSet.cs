using Microsoft.Extensions.Hosting;

namespace Canopy.Cli.Roles;

/// <summary>
/// The tiers running in this process, stopped in the order they started: root, cluster, node. The top goes first so that
/// a stopping node is not taken for a failed one: its cluster, already gone, does not move its instances elsewhere, and the
/// node stops them and starts them again on the next start.
/// </summary>
internal sealed class TierSet : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private readonly List<(IHost Host, string Name)> _hosts = [];

    public T Add<T>(T host, string name)
        where T : IHost
    {
        _hosts.Add((host, name));
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (host, name) in _hosts)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await host.StopAsync(timeout.Token);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"warning: the {name} did not stop cleanly: {e.Message}");
            }

            if (host is IAsyncDisposable async)
            {
                await async.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }

        _hosts.Clear();
    }
}
