using Grpc.Core;

namespace Canopy.Cri.Tests.Integration;

// Teardown: leave the machine as the fixture found it, even after a failed start or a test that failed halfway.
public sealed partial class ContainerdFixture
{
    private async Task RemoveAllSandboxesAsync()
    {
        // Everything in this private containerd is ours; the remembered ids cover a List that fails.
        var ids = new HashSet<string>(_sandboxes.Keys);
        try
        {
            foreach (var sandbox in await Client.ListPodSandboxAsync(null, CancellationToken.None))
            {
                ids.Add(sandbox.Id);
            }
        }
        catch (CriException e)
        {
            _cleanupProblems.Add("ListPodSandbox: " + e.Message);
        }

        foreach (var id in ids)
        {
            try
            {
                await Client.StopPodSandboxAsync(id, CancellationToken.None);
                await Client.RemovePodSandboxAsync(id, CancellationToken.None);
            }
            catch (CriException e) when (e.StatusCode != StatusCode.NotFound)
            {
                _cleanupProblems.Add($"sandbox {id}: {e.Message}");
            }
            catch (CriException)
            {
                // Already gone.
            }
        }
    }

    private async Task StopContainerdAsync()
    {
        if (_containerdPid == 0 || !HostCommand.Signal(_containerdPid, HostCommand.SigTerm))
        {
            return;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && HostCommand.Signal(_containerdPid, 0))
        {
            await Task.Delay(50);
        }

        if (HostCommand.Signal(_containerdPid, 0))
        {
            HostCommand.Signal(_containerdPid, HostCommand.SigKill);
            _cleanupProblems.Add($"containerd (pid {_containerdPid}) ignored SIGTERM; killed");
        }

        _containerdPid = 0; // a second Dispose (after a failed start) must not signal a reused PID
    }

    private void KillLeftoverProcesses()
    {
        if (Dir.Length == 0)
        {
            return;
        }

        // Shims carry our socket path on their command line; whatever still runs under them goes too.
        foreach (var pid in ProcessTable.MentioningWithDescendants(Dir))
        {
            HostCommand.Signal(pid, HostCommand.SigKill);
        }
    }

    private void UnmountLeftovers()
    {
        if (Dir.Length == 0)
        {
            return;
        }

        foreach (var mount in ProcessTable.MountsUnder(Dir))
        {
            if (!HostCommand.DetachMount(mount))
            {
                _cleanupProblems.Add("umount " + mount);
            }
        }
    }

    private async Task DeleteBridgeAsync()
    {
        if (Directory.Exists($"/sys/class/net/{ContainerdConfigFiles.BridgeName}") && _tools.TryGetValue("ip", out var ip))
        {
            var result = await HostCommand.RunAsync(ip, ["link", "del", ContainerdConfigFiles.BridgeName], TimeSpan.FromSeconds(10));
            if (result.ExitCode != 0)
            {
                _cleanupProblems.Add("ip link del: " + result.Output.Trim());
            }
        }
    }

    private void Try(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _cleanupProblems.Add($"{what}: {e.Message}");
        }
    }
}
