using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Canopy.Cluster.Broker;

/// <summary>What has to hold on this machine before the broker can start: the binary is there, the port is free, no stale broker of ours.</summary>
internal static class BrokerHost
{
    public static string? LocateExecutable(string path)
    {
        if (path.Contains('/'))
        {
            return File.Exists(path) ? Path.GetFullPath(path) : null;
        }

        // Debian installs mosquitto in /usr/sbin, which a non-root PATH often lacks.
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"]);
        return directories.Select(d => Path.Combine(d, path)).FirstOrDefault(File.Exists);
    }

    public static void EnsurePortFree(MqttBrokerOptions broker)
    {
        var address = IPAddress.TryParse(broker.ListenHost, out var parsed) ? parsed : Dns.GetHostAddresses(broker.ListenHost).First();
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

        // With SO_REUSEADDR the bind fails only if something listens there, not for connections lingering in TIME_WAIT.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(address, broker.Port));
            socket.Listen();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw PortInUse(broker);
        }
    }

    public static BrokerStartException PortInUse(MqttBrokerOptions broker) => new(
        $"the MQTT port {broker.Port} on {broker.ListenHost} is already in use (another broker or cluster?): stop it, " +
        "or give this cluster another broker port with --mqtt-port (ClusterOptions.Mqtt.Port)");

    /// <summary>
    /// A broker from a run of ours that crashed still holds the port; it is ours only if it runs our config file.
    /// Returns the pid it stopped, if any.
    /// </summary>
    public static async Task<int?> KillStaleAsync(MosquittoFiles files, TimeSpan grace, CancellationToken ct)
    {
        if (!File.Exists(files.PidFile))
        {
            return null;
        }

        int? killed = null;
        if (int.TryParse((await File.ReadAllTextAsync(files.PidFile, ct)).Trim(), out var pid) && IsOurBroker(files, pid))
        {
            PosixSignals.Send(pid, PosixSignals.SigTerm);
            var waited = Stopwatch.StartNew();

            // Not our child, so there is nothing to wait on but /proc: poll, up to the grace period.
            while (Directory.Exists($"/proc/{pid}") && waited.Elapsed < grace)
            {
                await Task.Delay(50, ct);
            }

            if (Directory.Exists($"/proc/{pid}"))
            {
                PosixSignals.Send(pid, PosixSignals.SigKill);
            }

            killed = pid;
        }

        File.Delete(files.PidFile);
        return killed;
    }

    private static bool IsOurBroker(MosquittoFiles files, int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return cmdline.Contains("mosquitto", StringComparison.Ordinal) && cmdline.Contains(files.Config, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
