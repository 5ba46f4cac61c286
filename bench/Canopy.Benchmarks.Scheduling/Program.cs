using BenchmarkDotNet.Running;

// `scripts/bench.sh placement` runs them all; pass BenchmarkDotNet's own arguments to choose, e.g. `-- --filter '*ClusterPlacement*'`.
if (args.Contains("--cpu-time"))
{
    Canopy.Benchmarks.Scheduling.CpuTime.Run();
    return;
}

// One table for the whole run (--join) unless the caller says otherwise.
BenchmarkSwitcher.FromAssembly(typeof(Canopy.Benchmarks.Scheduling.Fleet).Assembly).Run(args.Contains("--join") ? args : [.. args, "--join"]);
