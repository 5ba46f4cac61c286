using Grpc.Core;

namespace Canopy.Cri.Tests.Integration;

/// <summary>The node engine keeps one client across restarts of its containerd: it must fail clearly meanwhile and recover by itself.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class ContainerdRestartTests(ContainerdFixture fixture)
{
    [Fact]
    public async Task The_same_client_is_unavailable_while_containerd_is_gone_and_answers_once_it_is_back()
    {
        await AnswersAsync(); // an open HTTP/2 connection, which containerd's exit breaks

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
        (await AnswersAsync()).RuntimeName.ShouldBe("containerd");
    }

    /// <summary>
    /// Version, once containerd's CRI plugin has initialised: a containerd that just (re)started accepts connections and answers
    /// "server is not initialized yet" for a moment.
    /// </summary>
    private async Task<Canopy.Cri.V1.VersionResponse> AnswersAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await fixture.Client.VersionAsync(CancellationToken.None);
            }
            catch (CriException e) when (e.Message.Contains("not initialized", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
