using System.Net.Sockets;
using Grpc.Core;

namespace Canopy.Cri.Tests;

/// <summary>How calls fail when nothing (or nothing useful) is at the socket; needs no containerd.</summary>
public sealed class ChannelFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-cri-chan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Missing_socket_is_unavailable_and_names_the_path()
    {
        var path = Path.Combine(_dir, "nothing-here.sock");
        using var client = new CriClient(path);

        var e = await Should.ThrowAsync<CriException>(() => client.VersionAsync(CancellationToken.None));

        e.StatusCode.ShouldBe(StatusCode.Unavailable);
        e.Message.ShouldContain($"containerd is not running at {path}");
        e.Method.ShouldBe("RuntimeService/Version");
    }

    [Fact]
    public async Task Socket_nobody_listens_on_is_unavailable()
    {
        var path = Path.Combine(_dir, "refused.sock");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path)); // bound but not listening: connect() is refused
        using var client = new CriClient(path);

        var e = await Should.ThrowAsync<CriException>(() => client.PullImageAsync("busybox", CancellationToken.None));

        e.StatusCode.ShouldBe(StatusCode.Unavailable);
        e.Message.ShouldContain(path);
        e.Method.ShouldBe("ImageService/PullImage");
    }

    [Fact]
    public async Task Server_that_never_answers_runs_into_the_deadline()
    {
        using var listener = Listen("silent.sock", out var path); // the kernel completes the connect; nobody ever speaks HTTP/2
        using var client = new CriClient(path, TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;

        var e = await Should.ThrowAsync<CriException>(() => client.StatusAsync(CancellationToken.None));

        e.StatusCode.ShouldBe(StatusCode.DeadlineExceeded);
        e.Message.ShouldContain($"no answer from {path} within");
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Runtime_that_goes_away_during_the_call_is_unavailable()
    {
        using var listener = Listen("gone.sock", out var path);
        using var client = new CriClient(path, TimeSpan.FromSeconds(30));

        var call = client.VersionAsync(CancellationToken.None);
        using (var accepted = await listener.AcceptAsync())
        {
            accepted.Close(); // containerd killed while the call waits for its answer
        }

        var e = await Should.ThrowAsync<CriException>(() => call);

        e.StatusCode.ShouldBe(StatusCode.Unavailable);
        e.Message.ShouldContain($"connection to {path} failed");
    }

    [Fact]
    public async Task Cancelled_token_is_an_operation_cancelled_not_a_cri_error()
    {
        using var listener = Listen("cancel.sock", out var path);
        using var client = new CriClient(path);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(() => client.VersionAsync(cts.Token));
    }

    [Fact]
    public void Non_positive_default_timeout_is_rejected()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new CriClient("/x.sock", TimeSpan.Zero));
    }

    /// <summary>A unix socket in the test's dir that accepts connections and never answers by itself.</summary>
    private Socket Listen(string name, out string path)
    {
        path = Path.Combine(_dir, name);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        return listener;
    }
}
