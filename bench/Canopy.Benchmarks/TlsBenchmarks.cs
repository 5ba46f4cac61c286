using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// What TLS costs (issue 10): each figure with TLS on (the default) and off (plain HTTP and plain MQTT on loopback), printed as a
/// Markdown table for docs/benchmarks.md.
/// </summary>
internal static class TlsBenchmarks
{
    /// <summary>Under `canopy up` the root follows --insecure-http and Mosquitto this variable; the embedded cluster's API stays https.</summary>
    private static readonly Dictionary<string, string> PlainMqtt = new() { ["CANOPY_Cluster__Mqtt__Tls"] = "false" };

    private static readonly string[] Tiers = ["root", "cluster", "node", "mosquitto"];

    public static async Task RunAsync(int runs, TimeSpan idle)
    {
        Console.WriteLine($"TLS on vs off; load average at the start {LoadAverage()}");
        var rows = new List<(string Figure, string On, string Off)>();

        var deployOn = await DeployAsync(runs, tls: true);
        var deployOff = await DeployAsync(runs, tls: false);
        rows.Add(("exec deploy (POST instance) → RUNNING, `canopy up`", Stats.Summary(deployOn), Stats.Summary(deployOff)));

        var usageOn = await IdleAsync(idle, tls: true);
        var usageOff = await IdleAsync(idle, tls: false);
        foreach (var tier in Tiers)
        {
            rows.Add(($"{tier} idle CPU (% of one core over {idle.TotalSeconds:0} s) / RSS",
                $"{usageOn[tier].Cpu:0.00} % / {usageOn[tier].RssMb:0.0} MB", $"{usageOff[tier].Cpu:0.00} % / {usageOff[tier].RssMb:0.0} MB"));
        }

        await using var broker = new BenchBroker();
        await broker.StartAsync();
        var rounds = Math.Clamp(runs, 1, 3);
        foreach (var (inFlight, messages, what) in new[] { (1, 5_000, "one at a time, as a node sends"), (64, 20_000, "64 in flight") })
        {
            var on = new List<double>();
            var off = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                on.Add(await MqttRates.MeasureAsync(broker.TlsPort, broker.ClientTls, messages, inFlight));
                off.Add(await MqttRates.MeasureAsync(broker.PlainPort, null, messages, inFlight));
            }

            rows.Add(($"MQTT QoS 1 messages/s client → Mosquitto → client, {what} (median of {rounds} × {messages:N0})",
                $"{Stats.Percentile(on, 50):N0}", $"{Stats.Percentile(off, 50):N0}"));
        }

        var rotation = await CertificateRotation.MeasureAsync(broker, runs);
        rows.Add(("certificate renewal (ServerCertificate.Renew: key, signature, files)", Stats.Summary(rotation.Renew), "–"));
        rows.Add(("renewal due → new connections get it, Kestrel (root, cluster API)", Stats.Summary(rotation.Kestrel), "–"));
        rows.Add(("renewal due → new connections get it, Mosquitto (SIGHUP)", Stats.Summary(rotation.Mosquitto), "–"));

        Console.WriteLine();
        Console.WriteLine("| figure | TLS on | TLS off |");
        Console.WriteLine("|---|---|---|");
        foreach (var (figure, on, off) in rows)
        {
            Console.WriteLine($"| {figure} | {on} | {off} |");
        }

        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()}");
    }

    /// <summary>`canopy up` (exec only) with TLS everywhere, or with --insecure-http and plain MQTT.</summary>
    private static async Task<List<double>> DeployAsync(int runs, bool tls)
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync(extraArgs: tls ? ["--no-containers"] : ["--no-containers", "--insecure-http"], environment: tls ? null : PlainMqtt);
        using var api = await canopy.ApiAsync();
        return await Deploys.MeasureAsync(api, runs, tls ? "tls" : "plain");
    }

    /// <summary>Root, cluster and node as separate processes, joined and idle; CPU over <paramref name="window"/> after a settling period.</summary>
    private static async Task<Dictionary<string, (double Cpu, double RssMb)>> IdleAsync(TimeSpan window, bool tls)
    {
        await using var tiers = new SeparateTiers(tls);
        await tiers.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(10)); // start-up work (JIT, first reports) is not idle
        var before = Tiers.ToDictionary(t => t, t => Stats.CpuTime(tiers.Pids[t]));
        await Task.Delay(window);
        return Tiers.ToDictionary(t => t, t => (
            (Stats.CpuTime(tiers.Pids[t]) - before[t]) / window * 100,
            Stats.RssMb(tiers.Pids[t])));
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
