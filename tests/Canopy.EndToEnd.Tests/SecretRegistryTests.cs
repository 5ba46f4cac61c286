using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// Issue 10's secrets test: a local registry that requires basic auth (Debian's docker-registry with an htpasswd file, on a port
/// of its own beside the plain one on 5000), `canopy up` with its own containerd, a deploy without the login failing with a
/// reason a user can act on, one with it RUNNING with its env and file secrets, and the password nowhere but in sealed stores.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SecretRegistryTests : IAsyncLifetime
{
    private const string User = "e2e-puller";
    private const string SecretFile = "/etc/canopy-test/token";

    // Fresh per run, so a hit in a grep is this run's leak.
    private readonly string _password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private readonly string _fileValue = "file-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private readonly string _envValue = "env-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private readonly string _registryDir = Directory.CreateTempSubdirectory("canopy-auth-registry-").FullName;
    private readonly string _registry = $"127.0.0.1:{FreePort.Next()}";
    private readonly StringBuilder _outputs = new();
    private readonly CanopyProcess _canopy = new();
    private HttpClient _api = null!;

    public SecretRegistryTests()
    {
        ContainerRequirements.Check();
        if (!File.Exists("/usr/bin/htpasswd"))
        {
            Assert.Fail("htpasswd not found: apt-get install apache2-utils (scripts/install-deps.sh test does).");
        }
    }

    public async Task InitializeAsync()
    {
        await RegistryAsync("up");
        await _canopy.StartAsync();
        (await CliAsync(null, "login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        _api = await _canopy.ApiAsync();
        await ContainerRequirements.WaitForContainersAsync(_canopy);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _canopy.DisposeAsync();
        await RegistryAsync("down");
        Directory.Delete(_registryDir, recursive: true);
    }

    [Fact]
    public async Task A_private_registry_needs_the_login_secret_and_the_secrets_reach_the_container_and_no_disk_or_log()
    {
        var image = $"{_registry}/canopy/busybox:1";

        // Without the login: FAILED, saying what to do, in the API and the CLI.
        (await CliAsync(null, "app", "deploy", Sla("nologin", image, ""))).ExitCode.ShouldBe(0);
        var failed = await Wait.ForAsync(() => _api.ServiceByNameAsync("nologin"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Failed, TimeSpan.FromSeconds(60), "FAILED without the login");
        failed.InstanceList[0].StatusDetail.ShouldNotBeNull().ShouldContain($"registry {_registry} requires a login");
        failed.InstanceList[0].StatusDetail!.ShouldContain("canopy secret create");
        (await CliAsync(null, "instance", "list", "-o", "json")).StdOut.ShouldContain("requires a login");
        (await CliAsync(null, "app", "delete", "nologin", "--wait")).ExitCode.ShouldBe(0);

        // A deploy naming a secret that does not exist is refused with the field's path.
        var missing = await CliAsync(null, "app", "deploy", Sla("refused", image, $$""", "registry_secret": "nope" """));
        missing.ExitCode.ShouldNotBe(0);
        missing.StdErr.ShouldContain("applications[0].microservices[0].registry_secret");

        var login = await CliAsync(_password + "\n", "secret", "create", "private-login", "--registry", _registry, "--username", User, "--password-stdin");
        login.ExitCode.ShouldBe(0, login.ToString());
        var data = await CliAsync(null, "secret", "create", "app-secret", "--from-literal", $"token={_fileValue}", "--from-literal", $"password={_envValue}");
        data.ExitCode.ShouldBe(0, data.ToString());
        var list = await CliAsync(null, "secret", "list");
        list.StdOut.ShouldContain("private-login");
        list.StdOut.ShouldContain("app-secret");

        // With it: RUNNING; the container sees the env and the read-only 0400 file (it prints only hashes of them).
        var secrets = $$"""
            , "registry_secret": "private-login",
              "secrets": [{"name": "app-secret", "key": "password", "env": "SECRET_ENV"}, {"name": "app-secret", "key": "token", "file": "{{SecretFile}}"}]
            """;
        (await CliAsync(null, "app", "deploy", Sla("private", image, secrets), "--watch", "--timeout", "90")).ExitCode.ShouldBe(0);
        var logs = await Wait.ForAsync(() => CliAsync(null, "logs", "private.e2e.svc.e2e"), r => r.StdOut.Contains("mode="), TimeSpan.FromSeconds(30), "the container's report");
        logs.StdOut.ShouldContain($"env={Sha256(_envValue)}");
        logs.StdOut.ShouldContain($"file={Sha256(_fileValue)}");
        logs.StdOut.ShouldContain("mode=400");
        logs.StdOut.ShouldContain("read-only");
        var service = await _api.ServiceByNameAsync("private");
        service.InstanceList.ShouldHaveSingleItem().Status.ShouldBe(InstanceStatus.Running);
        var hostFiles = Directory.EnumerateFiles(SecretsDir, "token", SearchOption.AllDirectories).ToList();
        hostFiles.ShouldHaveSingleItem();
        File.GetUnixFileMode(hostFiles[0]).ShouldBe(UnixFileMode.UserRead);

        var show = await CliAsync(null, "service", "show", "private.e2e.svc.e2e", "-o", "json");
        show.ExitCode.ShouldBe(0, show.ToString());
        (await CliAsync(null, "secret", "delete", "app-secret")).ExitCode.ShouldNotBe(0);

        // Undeployed: the secret files go with the instance.
        (await CliAsync(null, "app", "delete", "private", "--wait")).ExitCode.ShouldBe(0);
        Directory.EnumerateFiles(SecretsDir, "*", SearchOption.AllDirectories).ShouldBeEmpty();
        (await CliAsync(null, "secret", "delete", "app-secret")).ExitCode.ShouldBe(0);

        // Nowhere in clear: no data dir file (the stores keep them sealed), no output of canopy, the CLI or the registry script.
        await _canopy.StopAsync(TimeSpan.FromSeconds(30));
        _outputs.Append(_canopy.StdOut).Append(_canopy.StdErr);
        foreach (var secret in (string[])[_password, _fileValue])
        {
            FilesHolding(_canopy.DataDir, secret).ShouldBeEmpty($"files under {_canopy.DataDir} hold a secret value");
            FilesHolding(_registryDir, secret).ShouldBeEmpty("the registry's files hold the password");
            _outputs.ToString().ShouldNotContain(secret);
        }

        File.Exists(Path.Combine(_canopy.DataDir, "root", "secrets.key")).ShouldBeTrue();
        File.GetUnixFileMode(Path.Combine(_canopy.DataDir, "root", "secrets.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>This node's directory under /run/canopy/secrets (named by the hash of its data dir, like its other machine state).</summary>
    private string SecretsDir
    {
        get
        {
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(Path.Combine(_canopy.DataDir, "node")))))[..12];
            var dir = Path.Combine("/run/canopy/secrets", key);
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private string Sla(string app, string image, string extra) => ContainerSlas.Service(_canopy.DataDir, app,
        $$"""
        ["sh", "-c", "echo env=$(printf %s \"$SECRET_ENV\" | sha256sum | cut -d' ' -f1) file=$(sha256sum {{SecretFile}} | cut -d' ' -f1) mode=$(stat -c %a {{SecretFile}}); (echo x >> {{SecretFile}}) 2>/dev/null || echo read-only; exec sleep 1000"]
        """, image: image, extra: extra);

    private async Task<CliResult> CliAsync(string? stdin, params string[] args)
    {
        var result = await CanopyCli.RunAsync(_canopy.CliConfigPath, _canopy.RootUrl, args, TimeSpan.FromSeconds(120), stdin);
        _outputs.Append(result.StdOut).Append(result.StdErr);
        return result;
    }

    private async Task RegistryAsync(string command)
    {
        var psi = new ProcessStartInfo(Path.Combine(Repo.Root, "scripts", "test-registry.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(command);
        psi.Environment["CANOPY_REGISTRY_ADDR"] = _registry;
        psi.Environment["CANOPY_REGISTRY_DIR"] = _registryDir;
        psi.Environment["CANOPY_REGISTRY_AUTH"] = $"{User}:{_password}";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        _outputs.Append(await stdout).Append(await stderr);
        process.ExitCode.ShouldBe(0, $"test-registry.sh {command}: {await stderr}");
    }

    /// <summary>grep's own walk: it skips the sockets and FIFOs containerd leaves (-D skip); the value comes on stdin, not argv.</summary>
    private static List<string> FilesHolding(string dir, string value)
    {
        var psi = new ProcessStartInfo("grep") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-rlF", "-D", "skip", "-f", "/dev/stdin", dir])
        {
            psi.ArgumentList.Add(arg);
        }

        using var grep = Process.Start(psi)!;
        grep.StandardInput.Write(value + "\n");
        grep.StandardInput.Close();
        var output = grep.StandardOutput.ReadToEnd();
        grep.WaitForExit();
        grep.ExitCode.ShouldBeLessThan(2, grep.StandardError.ReadToEnd());
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
