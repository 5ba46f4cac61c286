using Canopy.Cli.Roles;
using Canopy.NodeRole;

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
    public void TheNodeRole_ExitsWithTheCodesOfCanopy()
    {
        NodeRoleException.InvalidInput.ShouldBe(ExitCodes.InvalidInput);
        NodeRoleException.StartFailed.ShouldBe(ExitCodes.StartFailed);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Copy(string source)
    {
        var path = Path.Combine(_dir, NativeNode.FileName);
        File.Copy(source, path);
        return path;
    }
}
