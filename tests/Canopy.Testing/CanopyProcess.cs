using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Testing;

/// <summary>
/// <c>canopy up</c> as a real process on free ports with its own data dir, and the CLI run against it.
/// Stopped with SIGINT (as Ctrl-C) on dispose, killed if it does not stop.
/// </summary>
public sealed class CanopyProcess : IAsyncDisposable
{
    public const string AdminPassword = "e2e-secret-password";

    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private Process? _process;
    private string _rootScheme = "https";

    /// <param name="insecureHttp">Starts it with <c>--insecure-http</c>: the root's API on plain <c>http://</c> (for Oakestra's own clients).</param>
    public CanopyProcess(string? dataDir = null, bool insecureHttp = false)
    {
        InsecureHttp = insecureHttp;
        _rootScheme = insecureHttp ? "http" : "https";
        DataDir = dataDir ?? Directory.CreateTempSubdirectory("canopy-e2e-").FullName;
        RootPort = FreePort.Next();
        ClusterPort = FreePort.Next();
        MqttPort = FreePort.Next();
        CliConfigPath = Path.Combine(DataDir, "cli.json");
    }

    public bool InsecureHttp { get; }
    public string DataDir { get; }
    public int RootPort { get; }
    public int ClusterPort { get; }
    public int MqttPort { get; }
    public string CliConfigPath { get; }

    /// <summary>The root's API: https, or http when started with <c>--insecure-http</c>.</summary>
    public string RootUrl => $"{_rootScheme}://127.0.0.1:{RootPort}";

    /// <summary>The root's CA and certificate, made at its first start (<c>canopy up</c> keeps the root's data in <c>root/</c>).</summary>
    public string RootPkiDir => Path.Combine(DataDir, "root", "pki");

    /// <summary>The root CA's pin, as <c>canopy up</c> prints it (after the first start).</summary>
    public string RootCaPin => PinnedHttp.PinOf(RootPkiDir);

    /// <summary>The embedded cluster's API (https, with the cluster's own CA).</summary>
    public string ClusterUrl => $"https://127.0.0.1:{ClusterPort}";

    /// <summary>The pin of the embedded cluster's CA (its data dir's pki/ca.crt); there once <c>up</c> has started.</summary>
    public string ClusterPin => ClusterCa.ExistingPin(Path.Combine(DataDir, "cluster")) ??
                                throw new InvalidOperationException("the cluster has not made its CA yet");

    public string StdOut { get { lock (_stdout) { return _stdout.ToString(); } } }
    public string StdErr { get { lock (_stderr) { return _stderr.ToString(); } } }
    public int Pid => _process?.Id ?? 0;
    public TimeSpan StartupTime { get; private set; }

    /// <param name="environment">Extra environment of the process, e.g. <c>CANOPY_Root__CertificateLifetime</c>.</param>
    public async Task StartAsync(
        bool withAdminPassword = true, TimeSpan? timeout = null, IReadOnlyList<string>? extraArgs = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        lock (_stdout)
        {
            _stdout.Clear();
        }

        var args = $"up --data-dir {DataDir} --root-port {RootPort} --cluster-port {ClusterPort} --mqtt-port {MqttPort} --node-name e2e-node";
        if (InsecureHttp)
        {
            args += " --insecure-http";
        }

        if (extraArgs is not null)
        {
            args += " " + string.Join(' ', extraArgs);
        }

        _rootScheme = InsecureHttp || extraArgs?.Contains("--insecure-http") == true ? "http" : "https";

        var psi = new ProcessStartInfo(Repo.CanopyBinary, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["CANOPY_CONFIG"] = CliConfigPath;
        if (withAdminPassword)
        {
            psi.Environment["CANOPY_ADMIN_PASSWORD"] = AdminPassword;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var started = Stopwatch.StartNew();
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_stdout) { _stdout.AppendLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Readiness.WaitAsync(_process, new Uri(RootUrl + "/health/ready"), timeout ?? TimeSpan.FromSeconds(90), "canopy up", () => $"{StdOut}\n{StdErr}",
            PinnedHttp.Handler(RootPkiDir));
        StartupTime = started.Elapsed;
    }

    /// <summary>Waits until stdout holds <paramref name="text"/> (the banner is written before <c>/health/ready</c> answers 200, read after).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => Task.FromResult(StdOut.Contains(text, StringComparison.Ordinal)), timeout ?? TimeSpan.FromSeconds(5), $"'{text}' on canopy's stdout");

    /// <summary>Ctrl-C, then waits for a clean exit.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is null || _process.HasExited)
        {
            return _process?.ExitCode ?? 0;
        }

        // Ctrl-C; unless this test run inherited an ignored SIGINT (a background job of a non-interactive shell), then SIGTERM.
        Signals.Kill(_process.Id, Signals.IgnoresSigInt(_process.Id) ? Signals.SigTerm : Signals.SigInt);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"canopy up did not stop after SIGINT:\n{StdOut}\n{StdErr}");
        }

        return _process.ExitCode;
    }

    public Task<CliResult> CliAsync(params string[] args) => CanopyCli.RunAsync(CliConfigPath, RootUrl, args, TimeSpan.FromSeconds(120));

    /// <summary>An HTTP client of the root's API that trusts its CA, not logged in.</summary>
    public HttpClient Http() => PinnedHttp.Client(RootPkiDir, RootUrl);

    /// <summary>An HTTP client logged in as Admin through the API.</summary>
    public async Task<HttpClient> ApiAsync()
    {
        var http = Http();
        var login = await http.PostAsJsonAsync("api/auth/login", new LoginRequest("Admin", AdminPassword), CanopyJson.Options);
        login.EnsureSuccessStatusCode();
        var tokens = (await login.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception)
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        MachineCleanup.ForDataDir(DataDir);
    }
}
