using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>
/// A private mosquitto process on a free loopback port with a generated config. Never touches the system service.
/// The process is killed by its PID on dispose. Fails (does not skip) when mosquitto is not installed.
/// </summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] Candidates =
        ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/bin/mosquitto", "/opt/homebrew/sbin/mosquitto"];

    private readonly Lock _logLock = new();
    private readonly StringBuilder _log = new();
    private readonly List<(string Text, TaskCompletionSource Signal)> _logWaiters = [];
    private readonly string _executable;
    private readonly string _configPath;
    private Process? _process;

    private MosquittoBroker(string executable, string directory, string configPath, int port)
    {
        _executable = executable;
        Directory = directory;
        _configPath = configPath;
        Port = port;
    }

    public int Port { get; }

    public string Directory { get; }

    public int? ProcessId => _process?.Id;

    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return _log.ToString();
            }
        }
    }

    public static string FindExecutable() => FindExecutable(Candidates, Environment.GetEnvironmentVariable("PATH"));

    internal static string FindExecutable(IEnumerable<string> candidates, string? searchPath)
    {
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var dir in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "mosquitto");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException("mosquitto not found: apt-get install mosquitto");
    }

    public static async Task<MosquittoBroker> StartAsync(MosquittoOptions? options = null)
    {
        options ??= new MosquittoOptions();
        var executable = FindExecutable();
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("canopy-mqtt-test-").FullName;
            // mosquitto started as root drops privileges to the 'mosquitto' user: it must be able to read the files.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            }

            var port = GetFreePort();
            var configPath = await WriteConfigAsync(directory, port, options);
            var broker = new MosquittoBroker(executable, directory, configPath, port);
            try
            {
                await broker.StartProcessAsync();
                return broker;
            }
            catch (BrokerStartException ex)
            {
                // Most likely the port was taken between probing and binding: try another one.
                last = ex;
                await broker.DisposeAsync();
            }
        }

        throw new InvalidOperationException("mosquitto did not start after 5 attempts.", last);
    }

    /// <summary>SIGKILL: no clean shutdown, sockets are reset by the kernel.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("mosquitto is not running.");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        process.Dispose();
        _process = null;
    }

    /// <summary>Starts mosquitto again with the same config and port.</summary>
    public Task RestartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("mosquitto is still running; kill it first.");
        }

        return StartProcessAsync();
    }

    /// <summary>Waits until the broker log contains <paramref name="text"/> (needs no polling: log lines are pushed).</summary>
    public Task WaitForLogAsync(string text, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_logLock)
        {
            if (_log.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _logWaiters.Add((text, signal));
        }

        return signal.Task.Within($"broker log line containing '{text}'. Log:\n{Log}", timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: false);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
            _process = null;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private async Task StartProcessAsync()
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(_executable)
            {
                ArgumentList = { "-c", _configPath },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Directory,
            },
            EnableRaisingEvents = true,
        };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            AppendLog(e.Data);
            if (e.Data.Contains(" running", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => ready.TrySetException(new BrokerStartException($"mosquitto exited during start-up. Log:\n{Log}"));
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new BrokerStartException($"mosquitto did not report 'running' within {StartTimeout}. Log:\n{Log}");
        }
    }

    private void AppendLog(string line)
    {
        List<TaskCompletionSource>? matched = null;
        lock (_logLock)
        {
            _log.AppendLine(line);
            for (var i = _logWaiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_logWaiters[i].Text, StringComparison.Ordinal))
                {
                    (matched ??= []).Add(_logWaiters[i].Signal);
                    _logWaiters.RemoveAt(i);
                }
            }
        }

        matched?.ForEach(s => s.TrySetResult());
    }

    private static int GetFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task<string> WriteConfigAsync(string directory, int port, MosquittoOptions options)
    {
        var config = new StringBuilder()
            .AppendLine($"listener {port} 127.0.0.1")
            .AppendLine($"allow_anonymous {(options.AllowAnonymous ? "true" : "false")}")
            .AppendLine("persistence false")
            .AppendLine("log_dest stderr") // stderr is unbuffered; stdout to a pipe is block-buffered
            .AppendLine("log_type all")
            .AppendLine("connection_messages true");
        if (options.Tls is { } tls)
        {
            config.AppendLine($"certfile {tls.CertFile}").AppendLine($"keyfile {tls.KeyFile}");

            // As root it would drop to the 'mosquitto' user, which cannot read the key (0600) when it reloads it on SIGHUP.
            if (Environment.UserName == "root")
            {
                config.AppendLine("user root");
            }
        }

        if (options.Users.Count > 0)
        {
            var passwordFile = Path.Combine(directory, "passwords");
            await WritePasswordFileAsync(passwordFile, options.Users);
            config.AppendLine($"password_file {passwordFile}");
        }

        if (options.AclLines.Count > 0)
        {
            var aclFile = Path.Combine(directory, "acl");
            await File.WriteAllLinesAsync(aclFile, options.AclLines);
            config.AppendLine($"acl_file {aclFile}");
        }

        var path = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(path, config.ToString());
        return path;
    }

    /// <summary>Uses mosquitto_passwd when installed, otherwise writes the same PBKDF2-SHA512 ($7$) format itself.</summary>
    private static async Task WritePasswordFileAsync(string path, IReadOnlyDictionary<string, string> users)
    {
        var tool = new[] { "/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd" }.FirstOrDefault(File.Exists);
        if (tool is null)
        {
            var lines = users.Select(u =>
            {
                var salt = RandomNumberGenerator.GetBytes(12);
                var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(u.Value), salt, 101, HashAlgorithmName.SHA512, 64);
                return $"{u.Key}:$7$101${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
            });
            await File.WriteAllLinesAsync(path, lines);
            return;
        }

        var create = true;
        foreach (var (user, password) in users)
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-b");
            if (create)
            {
                start.ArgumentList.Add("-c");
            }

            start.ArgumentList.Add(path);
            start.ArgumentList.Add(user);
            start.ArgumentList.Add(password);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"mosquitto_passwd failed ({process.ExitCode}): {await stderr}");
            }

            create = false;
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        }
    }

    private sealed class BrokerStartException(string message) : Exception(message);
}
