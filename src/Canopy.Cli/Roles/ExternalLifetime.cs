using Microsoft.Extensions.Hosting;

namespace Canopy.Cli.Roles;

/// <summary>
/// The CLI owns Ctrl-C and SIGTERM and stops the tiers in order (node, cluster, root); the hosts themselves must not
/// react to the signals, or three hosts in one process would race to stop.
/// </summary>
internal sealed class ExternalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
