using System.Diagnostics;
using System.Net.Sockets;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>A private Mosquitto on a free loopback port (anonymous: these tests are about the node, not the broker's auth).</summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private TestBroker(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<TestBroker> StartAsync()
    {
        const string executable = "/usr/sbin/mosquitto";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException("mosquitto is missing: install the Debian package mosquitto.");
        }

        var dir = Directory.CreateTempSubdirectory("canopy-ne-broker-").FullName;
        var port = Ports.Free();
        var config = Path.Combine(dir, "mosquitto.conf");

        // 'user root': started as root, mosquitto would otherwise switch to a user that cannot read this temp dir.
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\nlog_type error\n");
        var process = Process.Start(new ProcessStartInfo(executable, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var broker = new TestBroker(process, dir, port);
        await Eventually.True(() => broker.Accepts(), $"mosquitto listening on {port}", TimeSpan.FromSeconds(10));
        return broker;
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
