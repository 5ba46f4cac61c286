using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Security;

namespace Canopy.Testing;

/// <summary>
/// <c>canopy root</c> alone as a real process (HTTPS with its own CA) on a free port with its own data dir and a static cluster
/// join token, for clusters that are not <c>canopy up</c>'s own (e.g. simulated ones). Stopped with SIGTERM on dispose.
/// </summary>
public sealed class RootProcess : IAsyncDisposable
{
    public const string AdminPassword = "e2e-root-password";
    private const string JoinSecret = "e2e-cluster-join-token-0123456789";

    private readonly StringBuilder _output = new();
    private Process? _process;

    public string DataDir { get; } = Directory.CreateTempSubdirectory("canopy-e2e-root-").FullName;
    public string RootUrl { get; } = $"https://127.0.0.1:{FreePort.Next()}";
    public string PkiDir => Path.Combine(DataDir, "pki");

    /// <summary><c>--store</c>: null = SQLite in the data dir; a <c>postgres://</c> URL (<see cref="TestPostgres.Url"/>).</summary>
    public string? Store { get; init; }

    /// <summary>The cluster join token with the root CA's pin, as `canopy token create cluster` prints it (once started).</summary>
    public string ClusterJoinToken => JoinToken.Format(JoinSecret, PinnedHttp.PinOf(PkiDir));

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(Repo.CanopyBinary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "root", "--data-dir", DataDir, "--listen", RootUrl, "--cluster-join-token", JoinSecret, "--admin-password", AdminPassword })
        {
            psi.ArgumentList.Add(arg);
        }

        if (Store is not null)
        {
            psi.ArgumentList.Add("--store");
            psi.ArgumentList.Add(Store);
        }

        psi.Environment["CANOPY_CONFIG"] = Path.Combine(DataDir, "cli.json");
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Readiness.WaitAsync(_process, new Uri(RootUrl + "/health/ready"), timeout ?? TimeSpan.FromSeconds(90), "canopy root", () => Output,
            PinnedHttp.Handler(PkiDir));
    }

    /// <summary>The root's API, logged in as Admin.</summary>
    public async Task<HttpClient> ApiAsync()
    {
        var http = PinnedHttp.Client(PkiDir, RootUrl);
        var login = await http.PostAsJsonAsync("api/auth/login", new LoginRequest("Admin", AdminPassword), CanopyJson.Options);
        login.EnsureSuccessStatusCode();
        var tokens = (await login.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Token);
        return http;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await Signals.TerminateAsync(_process, TimeSpan.FromSeconds(20));
        }

        _process?.Dispose();
        MachineCleanup.ForDataDir(DataDir);
    }
}
