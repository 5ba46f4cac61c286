using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// Where registrations spend their time, step by step: each one at Debug, and a sum of the steps every
/// <see cref="SummaryEvery"/> registrations at Information, so that a burst of joining nodes shows which step bounds it.
/// </summary>
internal sealed partial class RegistrationTimings(ILogger<RegistrationTimings> logger)
{
    public const int SummaryEvery = 500;

    private readonly Lock _sync = new();
    private readonly double[] _sums = new double[StepCount];
    private readonly double[] _maxima = new double[StepCount];
    private long _count;
    private long _firstAt;

    private const int StepCount = 6;

    /// <summary>One registration's steps; <see cref="Mark"/> closes the current one.</summary>
    public Steps Start() => new(Stopwatch.GetTimestamp());

    public void Record(string host, string nodeId, Steps steps)
    {
        var ms = steps.Milliseconds;
        Log.Steps(logger, host, nodeId, ms[5], ms[0], ms[1], ms[2], ms[3], ms[4]);
        lock (_sync)
        {
            if (_count++ == 0)
            {
                _firstAt = steps.StartedAt;
            }

            for (var i = 0; i < StepCount; i++)
            {
                _sums[i] += ms[i];
                _maxima[i] = Math.Max(_maxima[i], ms[i]);
            }

            if (_count % SummaryEvery == 0)
            {
                var n = (double)_count;
                var seconds = Stopwatch.GetElapsedTime(_firstAt).TotalSeconds;
                Log.Summary(logger, _count, seconds, _count / seconds, _sums[5] / n, _sums[0] / n, _sums[1] / n, _sums[2] / n, _sums[3] / n, _sums[4] / n,
                    _maxima[5]);
            }
        }
    }

    /// <summary>
    /// The steps in order: checks (rate, proof, broker ready), waiting for the gate, admission under the gate (store write, subnet),
    /// the broker account (rewrite and reload, shared by a batch), the probe of the account (shared likewise); then the total.
    /// </summary>
    internal sealed class Steps
    {
        private readonly double[] _ms = new double[StepCount];
        private long _last;

        public Steps(long startedAt) => (StartedAt, _last) = (startedAt, startedAt);

        public long StartedAt { get; }

        public double[] Milliseconds
        {
            get
            {
                _ms[StepCount - 1] = Stopwatch.GetElapsedTime(StartedAt).TotalMilliseconds;
                return _ms;
            }
        }

        /// <summary>Ends the current step now (steps left out stay at zero: an account the broker had needs no rewrite).</summary>
        public void Mark(Step step)
        {
            var now = Stopwatch.GetTimestamp();
            _ms[(int)step] += Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds;
            _last = now;
        }
    }

    internal enum Step
    {
        Checks,
        GateWait,
        Admit,
        Account,
        Probe,
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NodeRegistrationSteps, Level = LogLevel.Debug,
            Message = "Registration of {Host} ({NodeId}) took {Total:0.0} ms: checks {Checks:0.0}, gate wait {GateWait:0.0}, admit {Admit:0.0}, " +
                      "account rewrite+reload {Account:0.0}, probe {Probe:0.0}")]
        public static partial void Steps(ILogger logger, string host, string nodeId, double total, double checks, double gateWait, double admit, double account, double probe);

        [LoggerMessage(EventId = EventIds.NodeRegistrationsSummary, Level = LogLevel.Information,
            Message = "{Count} registrations in {Seconds:0.0} s ({Rate:0.0}/s); mean ms per registration: total {Total:0.0}, checks {Checks:0.0}, " +
                      "gate wait {GateWait:0.0}, admit {Admit:0.0}, account rewrite+reload {Account:0.0}, probe {Probe:0.0}; slowest {Max:0} ms")]
        public static partial void Summary(
            ILogger logger, long count, double seconds, double rate, double total, double checks, double gateWait, double admit, double account, double probe, double max);
    }
}
