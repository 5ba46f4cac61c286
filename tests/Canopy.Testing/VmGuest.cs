using Canopy.NodeEngine.Linux;

namespace Canopy.Testing;

/// <summary>
/// The project's test guest (scripts/vm-guest.sh: Debian's cloud kernel and a busybox-static initramfs that serves a page on
/// <c>canopy.port</c> and powers off on the ACPI power button), built once into a cache that outlives test runs.
/// Fails, never skips, when QEMU or what the script needs is missing.
/// </summary>
public static class VmGuest
{
    public const string Qemu = "qemu-system-x86_64";

    /// <summary>What the guest's page says.</summary>
    public const string PageMark = "canopy-guest";

    /// <summary>The guest's console line once httpd serves.</summary>
    public const string ReadyLine = "canopy-guest: ready";

    private static readonly string CacheDir = Environment.GetEnvironmentVariable("CANOPY_VM_GUEST_DIR") is { Length: > 0 } dir
        ? dir
        : "/var/tmp/canopy-vm-guest";

    private static readonly Lazy<Task<GuestFiles>> Built = new(BuildAsync);

    public static Task<GuestFiles> GetAsync() => Built.Value;

    private static async Task<GuestFiles> BuildAsync()
    {
        if (Executables.Find(Qemu) is null)
        {
            throw new InvalidOperationException($"{Qemu} is missing (the vm runtime's tests boot real guests): install the Debian package qemu-system-x86.");
        }

        var script = Path.Combine(Repo.Root, "scripts", "vm-guest.sh");
        var (code, output, error) = await Task.Run(() => HostCommand.Run("/bin/bash", [script, CacheDir]));
        output += error;
        if (code != 0)
        {
            throw new InvalidOperationException($"scripts/vm-guest.sh could not build the test guest (it needs apt-get with deb.debian.org, busybox-static, gzip): {output}");
        }

        return new GuestFiles(Path.Combine(CacheDir, "kernel"), Path.Combine(CacheDir, "initrd"), Path.Combine(CacheDir, "bundle.tar.gz"));
    }
}

public sealed record GuestFiles(string Kernel, string Initrd, string Bundle);
