using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Canopy.Core.States;
using Canopy.Hosting.Metrics;
using Canopy.Root.Store;

namespace Canopy.Root.Metrics;

/// <summary>
/// The root's series (meter <see cref="MeterName"/>): what users asked for and how fast it ran, the root scheduler's decisions and
/// the traffic on the cluster links. The fleet's state (instances, clusters) is read from the store at each scrape: <see cref="FleetGauges"/>.
/// </summary>
internal sealed class RootMetrics
{
    public const string MeterName = "Canopy.Root";

    /// <summary>Deploy → RUNNING of a new instance takes seconds (an exec process) to minutes (a large image pulled on a slow link).</summary>
    private static readonly double[] RunningBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

    /// <summary>Forgotten after this: an instance that never runs must not be held forever.</summary>
    private static readonly TimeSpan RequestedMemory = TimeSpan.FromHours(1);

    private readonly Counter<long> _deploys;
    private readonly Histogram<double> _toRunning;
    private readonly Counter<long> _placements;
    private readonly Counter<long> _placementFailures;
    private readonly Counter<long> _linkMessages;
    private readonly Counter<long> _linkBytes;
    private readonly Counter<long> _oomKills;
    private readonly ConcurrentDictionary<(string ServiceId, int Number), (long At, string Service)> _requested = new();

    public RootMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Requests = new ApiRequestMetrics(Meter);
        _deploys = Meter.CreateCounter<long>("canopy_deploys", description: "Instances asked for (a deploy, a scale up, an update's replacement), by service");
        _toRunning = Meter.CreateHistogram<double>("canopy_deploy_to_running", "s", "Time from asking for a new instance to its first RUNNING, by service",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RunningBuckets });
        _placements = Meter.CreateCounter<long>("canopy_placements", description: "Instances the root scheduler placed, by cluster");
        _placementFailures = Meter.CreateCounter<long>("canopy_placement_failures",
            description: "Instances the root scheduler could not place, by reason (the negative state it gave them)");
        _linkMessages = Meter.CreateCounter<long>("canopy_link_messages", description: "Root ⇄ cluster link messages, by direction and type");
        _oomKills = Meter.CreateCounter<long>("canopy_oom_kills", description: "Instances the kernel's OOM killer ended (over their memory limit), by service id");
        _linkBytes = Meter.CreateCounter<long>("canopy_link_bytes", "By", "Root ⇄ cluster link bytes (JSON frames), by direction");
    }

    public Meter Meter { get; }

    public ApiRequestMetrics Requests { get; }

    /// <summary>A new instance of <paramref name="service"/> (its job name) was asked for: counted, and timed until it first runs.</summary>
    public void Requested(string serviceId, string service, int instanceNumber)
    {
        _deploys.Add(1, new KeyValuePair<string, object?>("service", service));
        var now = Stopwatch.GetTimestamp();
        _requested[(serviceId, instanceNumber)] = (now, service);
        if (_requested.Count > 10_000)
        {
            foreach (var (key, value) in _requested)
            {
                if (Stopwatch.GetElapsedTime(value.At, now) > RequestedMemory)
                {
                    _requested.TryRemove(key, out _);
                }
            }
        }
    }

    /// <summary>
    /// A cluster reported a new status: the first RUNNING since the instance was asked for is timed (restarts are not deploys), and an
    /// end by the kernel's OOM killer is counted.
    /// </summary>
    public void Reached(InstanceRecord instance, InstanceStatus previous)
    {
        if (instance.Status == InstanceStatus.Running && _requested.TryRemove((instance.ServiceId, instance.InstanceNumber), out var requested))
        {
            _toRunning.Record(Stopwatch.GetElapsedTime(requested.At).TotalSeconds, new KeyValuePair<string, object?>("service", requested.Service));
        }

        if (instance.Status is InstanceStatus.Dead or InstanceStatus.Failed && previous is not (InstanceStatus.Dead or InstanceStatus.Failed) &&
            instance.StatusDetail?.StartsWith(RestartRules.OomKilled, StringComparison.Ordinal) == true)
        {
            _oomKills.Add(1, new KeyValuePair<string, object?>("service_id", instance.ServiceId));
        }
    }

    public void Placed(string cluster) => _placements.Add(1, new KeyValuePair<string, object?>("cluster", cluster));

    public void NotPlaced(string reason) => _placementFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LinkMessage(string direction, string type, int bytes)
    {
        _linkMessages.Add(1, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("type", type));
        _linkBytes.Add(bytes, new KeyValuePair<string, object?>("direction", direction));
    }
}
