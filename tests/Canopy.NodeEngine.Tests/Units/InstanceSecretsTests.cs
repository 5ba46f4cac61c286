using System.Text;
using Canopy.Contracts;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;

namespace Canopy.NodeEngine.Tests.Units;

public sealed class InstanceSecretsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-instance-secrets-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ServiceSpec Spec(ServiceSecrets? secrets) => new()
    {
        ServiceId = "svc1",
        JobName = "a.b.c.d",
        Virtualization = "container",
        Secrets = secrets,
    };

    private static readonly ServiceSecrets Values = new()
    {
        Registry = new RegistryCredential("127.0.0.1:5001", "alice", "pw-registry-1"),
        Environment = [new SecretValue("DB_PASSWORD", "pw-env-2")],
        Files = [new SecretValue("/etc/app/token", "pw-file-3"), new SecretValue("/top", "pw-file-4")],
    };

    [Fact]
    public void A_stored_spec_holds_the_values_only_sealed_and_opens_again()
    {
        var secrets = new InstanceSecrets(Path.Combine(_dir, "data"), Path.Combine(_dir, "run"));

        var stored = CanopyJson.Serialize(Spec(Values).ToStored(secrets.Seal));

        foreach (var value in (string[])["pw-registry-1", "pw-env-2", "pw-file-3", "alice"])
        {
            stored.ShouldNotContain(value);
        }

        var opened = CanopyJson.Deserialize<ServiceSpec>(stored)!.FromStored(secrets.Open).Secrets!;
        opened.Registry.ShouldBe(Values.Registry);
        opened.Environment.ShouldBe(Values.Environment);
        opened.Files.ShouldBe(Values.Files);
        File.GetUnixFileMode(Path.Combine(_dir, "data", "secrets.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_spec_without_secrets_makes_no_key_file()
    {
        var secrets = new InstanceSecrets(Path.Combine(_dir, "data"), Path.Combine(_dir, "run"));

        Spec(null).ToStored(secrets.Seal).SealedSecrets.ShouldBeNull();
        Spec(null).FromStored(secrets.Open).Secrets.ShouldBeNull();
        File.Exists(Path.Combine(_dir, "data", "secrets.key")).ShouldBeFalse();
    }

    [Fact]
    public void Printing_a_spec_or_deploy_shows_no_value()
    {
        var text = new Contracts.Mqtt.DeployCommand(Spec(Values), 0) + " " + new Contracts.Link.DeployInstance(Spec(Values), 0);

        text.ShouldContain("DB_PASSWORD");
        foreach (var value in (string[])["pw-registry-1", "pw-env-2", "pw-file-3", "alice"])
        {
            text.ShouldNotContain(value);
        }
    }

    [Fact]
    public void File_secrets_are_0400_under_the_instances_directory_and_go_with_it()
    {
        var secrets = new InstanceSecrets(Path.Combine(_dir, "data"), Path.Combine(_dir, "run"));
        var key = new InstanceKey("svc1", 0);

        var files = secrets.WriteFiles(key, Spec(Values));

        files.Select(f => f.Target).ShouldBe(["/etc/app/token", "/top"]);
        foreach (var (_, hostPath) in files)
        {
            hostPath.ShouldStartWith(secrets.DirOf(key) + "/");
            File.GetUnixFileMode(hostPath).ShouldBe(UnixFileMode.UserRead);
        }

        Encoding.UTF8.GetString(File.ReadAllBytes(files[0].HostPath)).ShouldBe("pw-file-3");
        File.GetUnixFileMode(secrets.DirOf(key)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        secrets.WriteFiles(key, Spec(Values)).Count.ShouldBe(2);
        secrets.Remove(key);
        Directory.Exists(secrets.DirOf(key)).ShouldBeFalse();
    }
}
