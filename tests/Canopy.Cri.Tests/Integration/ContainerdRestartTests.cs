using Grpc.Core;

namespace Canopy.Cri.Tests.Integration;

/// <summary>The node engine keeps one client across restarts of its containerd: it must fail clearly meanwhile and recover by itself.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class ContainerdRestartTests(ContainerdFixture fixture)
{
    [Fact]
    public async Task The_same_client_is_unavailable_while_containerd_is_gone_and_answers_once_it_is_back()
    {
        await fixture.Client.VersionAsync(CancellationToken.None); // an open HTTP/2 connection, which containerd's exit breaks

        await fixture.StopContainerdForTestAsync();
        CriException gone;
        try
        {
            gone = await Should.ThrowAsync<CriException>(() => fixture.Client.VersionAsync(CancellationToken.None));
        }
        finally
        {
            await fixture.StartContainerdAgainAsync();
        }

        gone.StatusCode.ShouldBe(StatusCode.Unavailable);
        gone.Message.ShouldContain(fixture.SocketPath);
        (await fixture.Client.VersionAsync(CancellationToken.None)).RuntimeName.ShouldBe("containerd");
    }
}
