using System.Globalization;
using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.NodeEngine.Runtimes.Processes;

namespace Canopy.NodeEngine.Runtimes.Vm;

internal sealed partial class VmRuntime
{
    /// <summary>The guest command line gets the first TCP port's guest side: the project's test guest serves on it.</summary>
    public const string PortParameter = "canopy.port";

    private static string QmpSocket(ProcessInstance instance) => Path.Combine(instance.Paths.Home, "qmp.sock");

    private static string BootDir(ProcessInstance instance) => Path.Combine(instance.Paths.Dir, "boot");

    private static PortMapping? FirstTcp(IReadOnlyList<PortMapping> ports) =>
        ports.FirstOrDefault(p => string.Equals(p.Protocol, PortMappings.Tcp, StringComparison.OrdinalIgnoreCase));

    protected override async Task<IReadOnlyList<string>?> CommandAsync(ProcessInstance instance, ProcessStart start, CancellationToken ct)
    {
        var spec = instance.Spec;
        if (VmImageChoice.Choose(spec, _architecture, out var choiceProblem) is not { } image)
        {
            Fail(instance, choiceProblem!);
            return null;
        }

        var what = $"kernel {image}";
        Artifact artifact;
        try
        {
            artifact = await _artifacts.FetchAsync(image, "kernel", spec.Secrets?.Registry, instance.Paths.Dir, ct).ConfigureAwait(false);
        }
        catch (ArtifactFetchException e)
        {
            Fail(instance, e.Message);
            return null;
        }

        if (VmBundle.Open(artifact.Path, artifact.Digest, BootDir(instance), what, Options.ArtifactMaxBytes, out var bundleProblem) is not { } boot)
        {
            Fail(instance, bundleProblem!);
            return null;
        }

        if (KernelImage.Problem(boot.Kernel, what) is { } kernelProblem)
        {
            Fail(instance, kernelProblem);
            return null;
        }

        var accelerator = await _acceleration.DecideAsync(KernelImage.IsBzImage(boot.Kernel) ? boot.Kernel : null, ct).ConfigureAwait(false);
        if (accelerator is not { } chosen)
        {
            Fail(instance, _acceleration.Refusal ?? "no accelerator for QEMU on this node");
            return null;
        }

        // Prepared to drop root before KVM was chosen (the first guest's kernel decided it): this start stays on TCG.
        if (chosen == VmAccelerator.Kvm && instance.Uid is not null)
        {
            chosen = VmAccelerator.Tcg;
        }

        var guestPort = FirstTcp(start.Ports)?.ContainerPort;
        var cmdline = string.Join(' ', new[]
        {
            guestPort is { } port ? $"{PortParameter}={port.ToString(CultureInfo.InvariantCulture)}" : "",
            boot.ExtraCmdline,
            string.Join(' ', spec.Cmd.Concat(spec.Args)),
        }.Where(part => part.Length > 0));

        var forwards = start.Ports
            .Select(p => new VmForward(p.Protocol.ToLowerInvariant(), ProcessEnvironment.HostPort(p, instance.Key.InstanceNumber), p.ContainerPort))
            .ToList();
        var qmp = QmpSocket(instance);
        File.Delete(qmp);
        _consoleStart[instance.Key] = LogLength(instance);
        // QEMU may run as the instance's user in its home, under a data dir that user cannot pass from above (~/.canopy in
        // /root): it gets its files by paths relative to the home. The socket's path also stays far below the 108 bytes of a
        // unix socket address, however deep the data dir.
        var home = instance.Paths.Home;
        var relativeBoot = boot with
        {
            Kernel = Path.GetRelativePath(home, boot.Kernel),
            Initrd = boot.Initrd is { } initrd ? Path.GetRelativePath(home, initrd) : null,
            ExtraCmdline = cmdline,
        };
        return QemuCommand.Build(
            _qemu!, $"canopy-{instance.Key}", relativeBoot, chosen,
            GuestMemoryMb(spec), QemuCommand.Cpus(spec.Vcpus), forwards, Path.GetRelativePath(home, qmp));
    }

    private int GuestMemoryMb(Contracts.ServiceSpec spec) =>
        QemuCommand.MemoryMb(spec.Memory, Options.VmDefaultMemoryMb, Options.VmMinimumMemoryMb);

    private static long LogLength(ProcessInstance instance)
    {
        var log = new FileInfo(instance.Paths.Log);
        return log.Exists ? log.Length : 0;
    }
}
