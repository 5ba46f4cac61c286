using Canopy.NodeEngine.Monitoring;

namespace Canopy.NodeEngine.Tests.Monitoring;

public sealed class ResourceMonitorTests
{
    [Fact]
    public async Task Samples_are_sane()
    {
        var monitor = new ResourceMonitor();
        await Task.Delay(200);

        var sample = monitor.Sample();

        sample.Vcpus.ShouldBe(Environment.ProcessorCount);
        sample.MemoryTotalMb.ShouldBeGreaterThan(100);
        sample.MemoryAvailableMb.ShouldBeInRange(1, sample.MemoryTotalMb);
        sample.MemoryPercent.ShouldBeInRange(0.0, 100.0);
        sample.CpuPercent.ShouldBeInRange(0.0, 100.0);
        monitor.MemoryTotalMb.ShouldBe(sample.MemoryTotalMb);
    }

    [Fact]
    public async Task Cpu_use_shows_when_the_cpu_is_busy()
    {
        var monitor = new ResourceMonitor();
        using var stop = new CancellationTokenSource();
        var spinner = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        });
        await Task.Delay(300);
        monitor.Sample();
        await Task.Delay(500);

        var sample = monitor.Sample();
        await stop.CancelAsync();
        await spinner;

        sample.CpuPercent.ShouldBeGreaterThan(100.0 / Environment.ProcessorCount / 2);
    }

    [Fact]
    public void Facts_name_the_architecture_as_go_does_and_keep_extras_typed()
    {
        NodeFacts.ArchitectureName(System.Runtime.InteropServices.Architecture.X64).ShouldBe("amd64");
        NodeFacts.ArchitectureName(System.Runtime.InteropServices.Architecture.Arm64).ShouldBe("arm64");
        NodeFacts.ArchitectureName(System.Runtime.InteropServices.Architecture.Arm).ShouldBe("arm");

        var extras = NodeFacts.ToExtras(new Dictionary<string, string> { ["gpu_mem"] = "16", ["ratio"] = "0.5", ["labels"] = "a,b" })!;

        extras["gpu_mem"].GetInt64().ShouldBe(16);
        extras["ratio"].GetDouble().ShouldBe(0.5);
        extras["labels"].GetString().ShouldBe("a,b");
        NodeFacts.ToExtras(new Dictionary<string, string>()).ShouldBeNull();
    }

    [Fact]
    public void Facts_describe_this_machine()
    {
        var facts = new NodeFacts(new NodeEngineOptions { DataDir = "/tmp", Name = "n1", AdvertisedIp = "10.1.2.3" });

        facts.Name.ShouldBe("n1");
        facts.Ip.ShouldBe("10.1.2.3");
        facts.KernelVersion.ShouldNotBeNullOrWhiteSpace();
        facts.OsVersion.ShouldNotBeNullOrWhiteSpace();
        new NodeFacts(new NodeEngineOptions { DataDir = "/tmp" }).Ip.ShouldNotBeNullOrWhiteSpace();
    }
}
