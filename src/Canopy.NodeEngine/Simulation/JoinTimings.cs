using System.Diagnostics;

namespace Canopy.NodeEngine.Simulation;

/// <summary>
/// Where the simulated nodes' joins spent their time, seen from the nodes: waiting for a registration slot, the registration's
/// round trip (HTTPS connection and the cluster's answer), and from the answer until the broker session is up.
/// </summary>
internal sealed class JoinTimings
{
    private long _registered;
    private long _slotTicks;
    private long _registrationTicks;
    private long _connected;
    private long _connectTicks;

    public void Registered(TimeSpan slotWait, TimeSpan roundTrip)
    {
        Interlocked.Increment(ref _registered);
        Interlocked.Add(ref _slotTicks, slotWait.Ticks);
        Interlocked.Add(ref _registrationTicks, roundTrip.Ticks);
    }

    /// <summary>Counts the session once <paramref name="connected"/> completes, from <paramref name="since"/> (a timestamp).</summary>
    public void Connecting(Task connected, long since) =>
        connected.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                Interlocked.Increment(ref _connected);
                Interlocked.Add(ref _connectTicks, Stopwatch.GetElapsedTime(since).Ticks);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public override string ToString()
    {
        var registered = Math.Max(1, Interlocked.Read(ref _registered));
        var connected = Math.Max(1, Interlocked.Read(ref _connected));
        return $"registrations {Interlocked.Read(ref _registered)}: mean slot wait {Ms(_slotTicks, registered)} ms, " +
               $"round trip {Ms(_registrationTicks, registered)} ms; sessions {Interlocked.Read(ref _connected)}: mean answer → connected {Ms(_connectTicks, connected)} ms";
    }

    private static string Ms(long ticks, long count) => (TimeSpan.FromTicks(Interlocked.Read(ref ticks) / count).TotalMilliseconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
