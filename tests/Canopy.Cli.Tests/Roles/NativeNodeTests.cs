using Canopy.Cli.Roles;
using Canopy.NodeRole;
using Canopy.Testing;

namespace Canopy.Cli.Tests.Roles;

/// <summary><c>canopy node</c> hands over only to a native executable for this machine, never to a JIT build or a script.</summary>
public sealed class NativeNodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-native-node-").FullName;

    [Fact]
    public void AnElfExecutableOfThisMachine_IsTheNativeNode()
    {
        var path = Copy("/bin/true");

        NativeNode.IsNativeForThisMachine(path).ShouldBeTrue();
    }

    [Fact]
    public void AJitApphost_WithItsAssemblyBeside_IsNot()
    {
        var path = Copy("/bin/true");
        File.WriteAllText(path + ".dll", "");

        NativeNode.IsNativeForThisMachine(path).ShouldBeFalse();
    }

    [Fact]
    public void AScript_OrANonExecutable_IsNot()
    {
        var script = Path.Combine(_dir, NativeNode.FileName);
        File.WriteAllText(script, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        NativeNode.IsNativeForThisMachine(script).ShouldBeFalse();

        File.Delete(script);
        File.Copy("/bin/true", script);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        NativeNode.IsNativeForThisMachine(script).ShouldBeFalse();
    }

    [Fact]
    public async Task CanopyNode_HandsItsProcessToTheNativeNode_WithItsFlags()
    {
        // A copy of the built canopy with /bin/echo as its "native node": whatever canopy node execs prints its arguments.
        var canopy = Path.Combine(_dir, "canopy");
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(Repo.CanopyBinary)!))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }

        Copy("/bin/echo");

        var result = await Run(canopy, "node", "--name", "edge-7", "--no-containers");
        result.ShouldBe("--name edge-7 --no-containers");
    }

    [Fact]
    public void TheNodeRole_ExitsWithTheCodesOfCanopy()
    {
        NodeRoleException.InvalidInput.ShouldBe(ExitCodes.InvalidInput);
        NodeRoleException.StartFailed.ShouldBe(ExitCodes.StartFailed);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<string> Run(string executable, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("CANOPY_NODE_IN_PROCESS");
        using var process = System.Diagnostics.Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.ShouldBe(0, errors);
        return output.Trim();
    }

    private string Copy(string source)
    {
        var path = Path.Combine(_dir, NativeNode.FileName);
        File.Copy(source, path);
        return path;
    }
}
