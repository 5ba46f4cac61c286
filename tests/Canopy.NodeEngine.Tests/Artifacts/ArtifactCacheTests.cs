using System.Diagnostics;
using System.Security.Cryptography;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Artifacts;

/// <summary>The artifact cache against a real HTTP server in the test and the real local registry (scripts/test-registry.sh).</summary>
public sealed class ArtifactCacheTests : IAsyncLifetime
{
    private static readonly byte[] Module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    private readonly string _dataDir = Directory.CreateTempSubdirectory("cnp-artifacts-").FullName;
    private readonly FileServer _server = new();
    private ArtifactCache _cache = null!;

    private NodeEngineOptions Options { get; set; } = null!;

    public Task InitializeAsync()
    {
        Options = new NodeEngineOptions
        {
            DataDir = _dataDir,
            ArtifactConnectTimeout = TimeSpan.FromSeconds(2),
            ArtifactAnswerTimeout = TimeSpan.FromSeconds(3),
            ArtifactMaxBytes = 1024 * 1024,
        };
        _cache = new ArtifactCache(Options, NullLogger<ArtifactCache>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _cache.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task A_url_is_fetched_into_the_cache_under_its_digest()
    {
        _server.Add("hello.wasm", Module);

        var artifact = await _cache.FetchAsync(_server.Url("hello.wasm"), "module", null, CancellationToken.None);

        artifact.Digest.ShouldBe(Digest(Module));
        artifact.Path.ShouldBe(Path.Combine(_dataDir, "artifacts", "sha256-" + Digest(Module)[7..]));
        (await File.ReadAllBytesAsync(artifact.Path)).ShouldBe(Module);
        Directory.GetFiles(Path.Combine(_dataDir, "artifacts", "tmp")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_pinned_url_that_is_cached_is_not_fetched_again_and_a_wrong_pin_fails()
    {
        _server.Add("hello.wasm", Module);
        var pinned = _server.Url("hello.wasm") + "#sha256=" + Digest(Module)[7..];
        await _cache.FetchAsync(pinned, "module", null, CancellationToken.None);
        await _cache.FetchAsync(pinned, "module", null, CancellationToken.None);
        _server.Requests.ShouldBe(1);

        var wrong = _server.Url("hello.wasm") + "#sha256=" + new string('0', 64);
        var error = await Should.ThrowAsync<ArtifactFetchException>(() => _cache.FetchAsync(wrong, "module", null, CancellationToken.None));
        error.Message.ShouldContain("expected sha256:0000");
        File.Exists(_cache.PathOf("sha256:" + new string('0', 64))).ShouldBeFalse();
    }

    [Fact]
    public async Task Concurrent_fetches_of_the_same_url_share_one_download()
    {
        _server.Add("shared.wasm", Module);
        _server.Delay = TimeSpan.FromMilliseconds(200);

        var fetches = Enumerable.Range(0, 5).Select(_ => _cache.FetchAsync(_server.Url("shared.wasm"), "module", null, CancellationToken.None));
        var artifacts = await Task.WhenAll(fetches);

        artifacts.Select(a => a.Digest).Distinct().ShouldHaveSingleItem();
        _server.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task A_url_that_never_answers_fails_after_the_answer_timeout_with_a_one_line_reason()
    {
        _server.Hung.Add("/hang.wasm");
        var watch = Stopwatch.StartNew();

        var error = await Should.ThrowAsync<ArtifactFetchException>(() => _cache.FetchAsync(_server.Url("hang.wasm"), "module", null, CancellationToken.None));

        error.Message.ShouldBe($"module URL {_server.Url("hang.wasm")} did not answer within 3 s");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_silent_port_and_a_closed_port_fail_with_their_reason()
    {
        using var silent = new SilentServer();
        var url = $"http://127.0.0.1:{silent.Port}/m.wasm";
        (await Should.ThrowAsync<ArtifactFetchException>(() => _cache.FetchAsync(url, "module", null, CancellationToken.None)))
            .Message.ShouldBe($"module URL {url} did not answer within 3 s");

        var closed = $"http://127.0.0.1:{Support.Ports.Free()}/m.wasm";
        (await Should.ThrowAsync<ArtifactFetchException>(() => _cache.FetchAsync(closed, "module", null, CancellationToken.None)))
            .Message.ShouldContain("connection refused");
    }

    [Fact]
    public async Task Not_found_and_too_large_are_named()
    {
        (await Should.ThrowAsync<ArtifactFetchException>(() => _cache.FetchAsync(_server.Url("missing.wasm"), "module", null, CancellationToken.None)))
            .Message.ShouldBe($"module URL {_server.Url("missing.wasm")} answered 404 Not Found");

        _server.Add("big.wasm", new byte[Options.ArtifactMaxBytes + 1]);
        (await Should.ThrowAsync<ArtifactFetchException>(() => _cache.FetchAsync(_server.Url("big.wasm"), "module", null, CancellationToken.None)))
            .Message.ShouldContain("is larger than the node's limit of 1 MiB (ArtifactMaxBytes)");
        Directory.EnumerateFiles(_dataDir, "sha256-*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("", "the module is missing")]
    [InlineData("ftp://x/y.wasm", "is neither an http(s) URL nor a registry artifact")]
    [InlineData("http://x/y.wasm#md5=1", "the only fragment understood is #sha256=")]
    public async Task Bad_references_are_refused_before_any_request(string code, string message)
    {
        (await Should.ThrowAsync<ArtifactFetchException>(() => _cache.FetchAsync(code, "module", null, CancellationToken.None)))
            .Message.ShouldContain(message);
    }

    [Fact]
    public async Task A_registry_artifact_is_fetched_as_its_single_layer_by_tag_and_by_digest()
    {
        await TestImageRegistry.UpAsync();
        const string registry = TestImageRegistry.Address;
        var content = RandomNumberGenerator.GetBytes(4096);
        var file = Path.Combine(_dataDir, "m.wasm");
        await File.WriteAllBytesAsync(file, content);
        var manifest = await TestImageRegistry.PushArtifactAsync("canopy/artifact-test:1", file);

        var byTag = await _cache.FetchAsync($"{registry}/canopy/artifact-test:1", "module", null, CancellationToken.None);
        byTag.Digest.ShouldBe(Digest(content));
        (await File.ReadAllBytesAsync(byTag.Path)).ShouldBe(content);

        var byDigest = await _cache.FetchAsync($"{registry}/canopy/artifact-test@{manifest}", "module", null, CancellationToken.None);
        byDigest.Path.ShouldBe(byTag.Path);
    }

    [Fact]
    public async Task A_registry_without_the_artifact_says_so()
    {
        await TestImageRegistry.UpAsync();
        const string registry = TestImageRegistry.Address;
        var error = await Should.ThrowAsync<ArtifactFetchException>(
            () => _cache.FetchAsync($"{registry}/canopy/no-such-artifact:1", "module", null, CancellationToken.None));
        error.Message.ShouldStartWith($"registry {registry} has no artifact canopy/no-such-artifact:1");
    }
}
