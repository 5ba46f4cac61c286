using System.Collections.Frozen;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using Canopy.Contracts.Net;
using Canopy.Core.Addressing;
using Microsoft.Extensions.Logging;

namespace Canopy.Net;

/// <summary>
/// Measures the round-trip time to each peer's underlay address: one ICMP echo per peer every interval (at once when new peers
/// arrive; the lower of two echoes), timed with a <see cref="Stopwatch"/> (sub-millisecond; <see cref="PingReply.RoundtripTime"/> has whole ms only).
/// A peer that does not answer within a second has no time (it sorts last).
/// </summary>
/// <remarks>
/// The probe runs on a thread of its own: in a node with a network namespace that thread enters it once (setns), and the
/// echo sockets, created on it by the synchronous <see cref="Ping.Send(IPAddress, int)"/>, live there. Peers are probed one after
/// the other, so a round takes up to a second per silent peer.
/// </remarks>
internal sealed class LatencyProbe : IAsyncDisposable
{
    private const int CloneNewNet = 0x40000000;
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(1);

    private readonly string? _netNamespace;
    private readonly string _ownUnderlayIp;
    private readonly TimeSpan _interval;
    private readonly Func<IReadOnlyList<NetPeer>> _peers;
    private readonly Action _measured;
    private readonly ILogger _log;
    private readonly AutoResetEvent _wake = new(false);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FrozenDictionary<string, double> _latency = FrozenDictionary<string, double>.Empty;

    /// <param name="measured">Called (on the probe's thread) after a round whose times differ from the last round's.</param>
    public LatencyProbe(string? netNamespace, string ownUnderlayIp, TimeSpan interval, Func<IReadOnlyList<NetPeer>> peers, Action measured, ILogger log)
    {
        _netNamespace = netNamespace;
        _ownUnderlayIp = ownUnderlayIp;
        _interval = interval;
        _peers = peers;
        _measured = measured;
        _log = log;
        new Thread(Run) { IsBackground = true, Name = "canopy-net-probe" }.Start();
    }

    public IReadOnlyDictionary<string, double> Latency => Volatile.Read(ref _latency);

    /// <summary>Probes now (a table with new peers arrived).</summary>
    public void Wake() => _wake.Set();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _stopped.Task.ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }

    private void Run()
    {
        try
        {
            if (_netNamespace is not null && !EnterNetNamespace(_netNamespace))
            {
                NetLog.ProbeUnavailable(_log, _netNamespace, Marshal.GetLastPInvokeErrorMessage());
                return;
            }

            while (!_stop.IsCancellationRequested)
            {
                var measured = Round();
                if (!measured.OrderBy(m => m.Key, StringComparer.Ordinal).SequenceEqual(_latency.OrderBy(m => m.Key, StringComparer.Ordinal)))
                {
                    Volatile.Write(ref _latency, measured);
                    _measured();
                }

                WaitHandle.WaitAny([_wake, _stop.Token.WaitHandle], _interval);
            }
        }
        catch (Exception e)
        {
            NetLog.ProbeFailed(_log, e);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private FrozenDictionary<string, double> Round()
    {
        var times = new Dictionary<string, double>(StringComparer.Ordinal);
        using var ping = new Ping();
        foreach (var peer in _peers().DistinctBy(p => p.NodeId))
        {
            if (_stop.IsCancellationRequested)
            {
                break;
            }

            if (peer.Ip == _ownUnderlayIp || !Ipv4.IsValid(peer.Ip))
            {
                continue;
            }

            // The lower of two echoes: the first one of a round also pays for the socket (and, once, for the JIT).
            var address = IPAddress.Parse(peer.Ip);
            if (Echo(ping, address) is { } first)
            {
                times[peer.NodeId] = Math.Min(first, Echo(ping, address) ?? first);
            }
        }

        return times.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static double? Echo(Ping ping, IPAddress address)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var reply = ping.Send(address, (int)EchoTimeout.TotalMilliseconds);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return reply.Status == IPStatus.Success ? Math.Round(elapsed.TotalMilliseconds, 3) : null;
        }
        catch (PingException)
        {
            return null;
        }
    }

    /// <summary>Moves this thread (only) into the network namespace at <paramref name="path"/>.</summary>
    private static bool EnterNetNamespace(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path);
            return setns((int)handle.DangerousGetHandle(), CloneNewNet) == 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
