using System.Diagnostics;
using Canopy.NodeEngine.Linux;
using Canopy.Testing;

namespace Canopy.Cli.Tests.Roles;

/// <summary>
/// The node engine publishes for arm64 edge devices: scripts/publish-node.sh arm64 (Native AOT cross-compiled with clang,
/// lld and Debian's arm64 sysroot) yields an AArch64 ELF executable. One publish, several minutes of CPU.
/// </summary>
public sealed class NodeArm64PublishTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("canopy-node-arm64-").FullName;

    [Fact]
    public async Task PublishNodeArm64_YieldsAnAarch64Executable()
    {
        var psi = new ProcessStartInfo(Path.Combine(Repo.Root, "scripts", "publish-node.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "arm64", "--out", _out })
        {
            psi.ArgumentList.Add(a);
        }

        using var publish = Process.Start(psi)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        await publish.WaitForExitAsync(timeout.Token);
        publish.ExitCode.ShouldBe(0, $"scripts/publish-node.sh arm64 failed:\n{await stdout}\n{await stderr}");

        var executable = Path.Combine(_out, "canopy-node");
        File.Exists(executable).ShouldBeTrue($"no {executable} after the publish:\n{await stdout}");
        var found = ElfExecutable.Inspect(File.ReadAllBytes(executable));
        found.Linking.ShouldBe(ElfLinking.Dynamic, "a native executable that loads glibc");
        found.Machine.ShouldBe(ElfExecutable.MachineArm64);
        found.Interpreter.ShouldBe("/lib/ld-linux-aarch64.so.1");
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
