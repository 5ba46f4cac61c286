using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The workload each runtime runs for the side-by-side figures: a small page server on the SLA's port, one line per
/// runtime. A runtime the node does not offer is skipped with its reason; one the table does not name is not measured.
/// </summary>
/// <param name="Counted">What its idle memory per instance counts (the processes found for the instance).</param>
/// <param name="Serving">The SLA of instance 0 of a service that serves <see cref="PagePath"/> on host port <c>port</c>.</param>
/// <param name="Prepare">Once before the runtime's first deploy (a registry to start, a module to build); not timed.</param>
internal sealed record RuntimeWorkload(
    string Runtime,
    string Counted,
    Func<BenchNode, string, int, ServiceSpec> Serving,
    string PagePath = "/",
    Func<BenchNode, Task>? Prepare = null)
{
    private const string Busybox = "/bin/busybox";
    private const string Image = "127.0.0.1:5000/canopy/busybox:1";

    public static readonly IReadOnlyList<RuntimeWorkload> All =
    [
        new("exec", "the wrapper shell + busybox httpd (the instance's process group)",
            (node, id, port) => Sla(id, "exec", port.ToString(CultureInfo.InvariantCulture)) with
            {
                Cmd = ["/bin/sh", "-c", $"exec {Busybox} httpd -f -p \"$PORT\" -h \"$WWW\""],
                Environment = [$"WWW={Site(node)}"],
            }),

        // examples/wasm/http.wat, pushed by scripts/test-registry.sh as an OCI artifact; its page is a CGI answer.
        new("wasm", "the wrapper shell + the canopy-wasm host process (Wasmtime, the module inside)",
            (_, id, port) => Sla(id, "wasm", port.ToString(CultureInfo.InvariantCulture)) with { Code = $"{TestImageRegistry.Address}/canopy/http-wasm:1", Memory = 32 },
            Prepare: _ => TestImageRegistry.UpAsync()),

        // The project's test guest (scripts/vm-guest.sh: Debian's kernel, a busybox initramfs serving on 80) as an OCI artifact.
        new("vm", "QEMU and its guest (SLA memory 64 MB → the 96 MB floor): Debian's cloud kernel + busybox httpd, the instance's process group",
            (_, id, port) => Sla(id, "vm", $"{port.ToString(CultureInfo.InvariantCulture)}:80") with { Code = $"{TestImageRegistry.Address}/canopy/vm-guest:1" },
            Prepare: PushVmGuestAsync),

        // Last: containerd's image and snapshot pages stay charged to the cap after its count (see DeviceCgroup.Reclaim).
        new("container", "pause + busybox httpd + the pod's containerd-shim (containerd itself not counted)",
            (_, id, port) => Sla(id, "container", $"{port.ToString(CultureInfo.InvariantCulture)}:8080") with { Code = Image },
            Prepare: _ => TestImageRegistry.UpAsync()),
    ];

    private static async Task PushVmGuestAsync(BenchNode node)
    {
        var guest = await VmGuest.GetAsync();
        await TestImageRegistry.UpAsync();
        await TestImageRegistry.PushArtifactAsync("canopy/vm-guest:1", guest.Bundle, TestImageRegistry.VmBundle);
    }

    private static ServiceSpec Sla(string serviceId, string runtime, string port) => new()
    {
        ServiceId = serviceId,
        JobName = $"bench.rt.{runtime}{serviceId[..6]}.bench",
        Virtualization = runtime,
        Port = port,
        Memory = 64,
        Vcpus = 0.5,
        RestartPolicy = RestartPolicy.Always,
    };

    /// <summary>The exec page server's directory, made once per node.</summary>
    private static string Site(BenchNode node)
    {
        var www = Path.Combine(node.DataDir, "www");
        if (!File.Exists(Path.Combine(www, "index.html")))
        {
            Directory.CreateDirectory(www);
            File.WriteAllText(Path.Combine(www, "index.html"), "hello from the runtime benchmark\n");
        }

        return www;
    }
}
