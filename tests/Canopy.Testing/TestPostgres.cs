using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace Canopy.Testing;

/// <summary>
/// A throw-away PostgreSQL server for tests and benchmarks: Debian's <c>postgresql</c> binaries, a cluster made by <c>initdb</c> in a
/// temp dir, listening on 127.0.0.1 at a free port with a password (SCRAM), never the machine's default instance. Each test takes a
/// database of its own (<see cref="CreateDatabaseAsync"/>); <see cref="StopAsync"/>/<see cref="StartAsync"/> restart the server
/// (a database outage), <see cref="DisposeAsync"/> stops it and removes everything.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    public const string User = "canopy";
    private const string ServiceUser = "postgres";
    private static int _databases;

    private TestPostgres(string dir, string bin, int port, string password)
    {
        Directory = dir;
        Bin = bin;
        Port = port;
        Password = password;
    }

    /// <summary>The temp dir: <c>data/</c> (the cluster), <c>server.log</c>, the Unix socket.</summary>
    public string Directory { get; }

    public int Port { get; }

    public string Password { get; }

    private string Bin { get; }

    private string DataDir => Path.Combine(Directory, "data");

    public string LogFile => Path.Combine(Directory, "server.log");

    /// <summary>
    /// Makes and starts a new server. Fails with what to install when Debian's <c>postgresql</c> is missing
    /// (<c>scripts/install-deps.sh test</c> and <c>.ci/run</c> install it).
    /// </summary>
    /// <param name="durable">fsync on, as in production: for benchmarks. Tests leave it off (a crash of the machine is not tested).</param>
    public static async Task<TestPostgres> StartNewAsync(bool durable = false, CancellationToken ct = default)
    {
        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `apt-get install postgresql` " +
            "(scripts/install-deps.sh test does it); the tests start a throw-away server of their own.");
        for (var attempt = 1; ; attempt++)
        {
            var dir = System.IO.Directory.CreateTempSubdirectory("canopy-pg-").FullName;
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
            var server = new TestPostgres(dir, bin, FreePort.Next(), password);
            try
            {
                await server.InitAsync(durable, ct);
                await server.StartAsync(ct);
                return server;
            }
            catch (InvalidOperationException e)
            {
                // The port was free when chosen, but anything on the machine may take it before the server binds it: a
                // server that did not start gets a new port and directory (twice), and its log goes into the error.
                var log = File.Exists(server.LogFile) ? string.Join('\n', File.ReadLines(server.LogFile).TakeLast(10)) : "(no server log)";
                await server.DisposeAsync();
                if (attempt == 3)
                {
                    throw new InvalidOperationException($"{e.Message}\nserver log:\n{log}", e);
                }

                Console.Error.WriteLine($"test PostgreSQL did not start (attempt {attempt}), trying another port: {log}");
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A URL as <c>--store</c>/<c>CANOPY_STORE</c> take it, for <paramref name="database"/>.</summary>
    public string Url(string database) => $"postgres://{User}:{Password}@127.0.0.1:{Port}/{database}";

    /// <summary>An Npgsql connection string for <paramref name="database"/> (no pooling: tests open few connections).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = Password,
        Database = database,
        Pooling = false,
    }.ToString();

    /// <summary>A new, empty database with a unique name; returns its name (see <see cref="Url"/>).</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "canopy", CancellationToken ct = default)
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(ct);
        return name;
    }

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public Task StartAsync(CancellationToken ct = default) =>
        RunAsync(ct, Path.Combine(Bin, "pg_ctl"), "-D", DataDir, "-l", LogFile, "-w", "-t", "60",
            "-o", $"-p {Port} -k {Directory}", "start");

    /// <summary>Stops the server: <c>fast</c> (clients disconnected, a clean shutdown) or <c>immediate</c> (as a crash).</summary>
    public Task StopAsync(string mode = "fast", CancellationToken ct = default) =>
        RunAsync(ct, Path.Combine(Bin, "pg_ctl"), "-D", DataDir, "-m", mode, "-w", "-t", "60", "stop");

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
        {
            try
            {
                await StopAsync("immediate");
            }
            catch (InvalidOperationException)
            {
                // Not running after all: the directory goes anyway.
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private async Task InitAsync(bool durable, CancellationToken ct)
    {
        var passwordFile = Path.Combine(Directory, "password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n", ct);
        GiveToServiceUser(Directory);
        await RunAsync(ct, Path.Combine(Bin, "initdb"), "-D", DataDir, "-U", User, "--pwfile", passwordFile, "--auth", "scram-sha-256",
            "-E", "UTF8", "--no-locale", "--no-sync");
        File.Delete(passwordFile);
        var settings = new List<string>
        {
            "listen_addresses = '127.0.0.1'",
            "max_connections = 300",
            "shared_buffers = 32MB",
            "log_min_messages = warning",
        };
        if (!durable)
        {
            settings.AddRange(["fsync = off", "full_page_writes = off", "synchronous_commit = off"]);
        }

        await File.AppendAllLinesAsync(Path.Combine(DataDir, "postgresql.conf"), settings, ct);
    }

    /// <summary>initdb and the server refuse to run as root: as root, they run as Debian's <c>postgres</c> user, which owns the dir.</summary>
    private static void GiveToServiceUser(string dir)
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        var chown = Process.Start("chown", ["-R", ServiceUser, dir])!;
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown -R {ServiceUser} {dir} failed: is Debian's postgresql installed (it adds the user)?");
        }
    }

    private static async Task RunAsync(CancellationToken ct, string program, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.UserName == "root" ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // The postgres user may not enter the test's own directory (a checkout under /root or a 0700 temp dir).
            WorkingDirectory = "/",
        };
        if (Environment.UserName == "root")
        {
            foreach (var a in new[] { "-u", ServiceUser, "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static string? FindBin() =>
        System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
}
