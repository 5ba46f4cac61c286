using Canopy.NodeEngine.Tests.Support;
using Canopy.Testing;

namespace Canopy.NodeEngine.Tests.Containerd;

/// <summary>
/// The scripts that prepare a machine and build the test images hold the same rule as the node's pause image: an image
/// never gets a dynamically linked busybox, and a machine with Debian's plain busybox gets busybox-static.
/// </summary>
public sealed class StaticBusyboxScriptsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnp-busybox-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Dynamic
    {
        get
        {
            var path = Path.Combine(_dir, "busybox");
            if (!File.Exists(path))
            {
                File.Copy("/bin/ls", path);
            }

            return path;
        }
    }

    [Fact]
    public async Task Images_py_refuses_a_dynamically_linked_busybox_and_says_what_to_install()
    {
        var archive = Path.Combine(_dir, "image.tar");

        var (code, output) = await HostCommand.RunAsync("python3",
            [Path.Combine(Repo.Root, "scripts", "images.py"), "archive", "canopy/busybox:test", archive, "--busybox", Dynamic]);

        code.ShouldBe(1, output);
        output.ShouldContain($"{Dynamic} is dynamically linked");
        output.ShouldContain("apt-get install busybox-static");
        File.Exists(archive).ShouldBeFalse();
    }

    [Fact]
    public async Task Install_deps_installs_busybox_static_where_busybox_is_missing_or_dynamic_and_not_where_it_is_static()
    {
        Prerequisites.Check();

        (await MissingAsync(Dynamic)).ShouldContain("busybox-static");
        (await MissingAsync(Path.Combine(_dir, "none"))).ShouldContain("busybox-static");
        (await MissingAsync(Prerequisites.Busybox)).ShouldNotContain("busybox-static");
    }

    private static async Task<string[]> MissingAsync(string busybox)
    {
        var (code, output) = await HostCommand.RunAsync("/usr/bin/env",
            [$"CANOPY_BUSYBOX={busybox}", "bash", Path.Combine(Repo.Root, "scripts", "install-deps.sh"), "--print-missing"]);
        code.ShouldBe(0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
