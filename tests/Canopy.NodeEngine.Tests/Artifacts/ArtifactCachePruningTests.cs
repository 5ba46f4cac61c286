using System.Security.Cryptography;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Artifacts;

/// <summary>
/// The artifact cache kept within <see cref="NodeEngineOptions.ArtifactCacheMaxMb"/> (1 MiB here, files of 400 KiB: two fit,
/// a third is one too many). A file's last use is its modification time, which the tests set back to order them.
/// </summary>
public sealed class ArtifactCachePruningTests : IAsyncLifetime
{
    private const int FileSize = 400 * 1024;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("cnp-artifact-prune-").FullName;
    private readonly FileServer _server = new();
    private ArtifactCache _cache = null!;

    private NodeEngineOptions Options => new()
    {
        DataDir = _dataDir,
        ArtifactConnectTimeout = TimeSpan.FromSeconds(2),
        ArtifactAnswerTimeout = TimeSpan.FromSeconds(3),
        ArtifactCacheMaxMb = 1,
    };

    public Task InitializeAsync()
    {
        _cache = new ArtifactCache(Options, NullLogger<ArtifactCache>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _cache.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Over_the_limit_the_least_recently_used_goes_and_the_one_just_fetched_stays()
    {
        var oldest = await FetchNewAsync("oldest.wasm");
        var older = await FetchNewAsync("older.wasm");
        LastUsed(oldest, hoursAgo: 2);
        LastUsed(older, hoursAgo: 1);

        var fetched = await FetchNewAsync("new.wasm");

        File.Exists(oldest.Path).ShouldBeFalse("the least recently used goes");
        File.Exists(older.Path).ShouldBeTrue("the cache fits again without removing it");
        File.Exists(fetched.Path).ShouldBeTrue("the one just fetched stays");
    }

    [Fact]
    public async Task A_cache_hit_counts_as_a_use()
    {
        var content = RandomNumberGenerator.GetBytes(FileSize);
        _server.Add("hit.wasm", content);
        var pinned = _server.Url("hit.wasm") + "#sha256=" + Convert.ToHexStringLower(SHA256.HashData(content));
        var hit = await _cache.FetchAsync(pinned, "module", null, CancellationToken.None);
        var other = await FetchNewAsync("other.wasm");
        LastUsed(hit, hoursAgo: 2);
        LastUsed(other, hoursAgo: 1);

        await _cache.FetchAsync(pinned, "module", null, CancellationToken.None);
        await FetchNewAsync("new.wasm");

        _server.Requests.ShouldBe(3, "the second fetch of the pinned URL was a cache hit");
        File.Exists(hit.Path).ShouldBeTrue("used again just now");
        File.Exists(other.Path).ShouldBeFalse("now the least recently used");
    }

    [Fact]
    public async Task An_artifact_an_instance_uses_stays_until_the_instance_is_gone()
    {
        var instanceDir = Directory.CreateDirectory(Path.Combine(_dataDir, "wasm", "some-instance")).FullName;
        var used = await FetchNewAsync("used.wasm", usedBy: instanceDir);
        var unused = await FetchNewAsync("unused.wasm");
        LastUsed(used, hoursAgo: 3);
        LastUsed(unused, hoursAgo: 1);

        var third = await FetchNewAsync("third.wasm");

        File.Exists(used.Path).ShouldBeTrue("its instance still exists, however long ago it was fetched");
        File.Exists(unused.Path).ShouldBeFalse();

        Directory.Delete(instanceDir);
        LastUsed(third, hoursAgo: 2);
        var fourth = await FetchNewAsync("fourth.wasm");

        File.Exists(used.Path).ShouldBeFalse("its instance is gone, and it is the least recently used");
        File.Exists(third.Path).ShouldBeTrue();
        File.Exists(fourth.Path).ShouldBeTrue();
    }

    [Fact]
    public void At_node_start_a_cache_over_its_limit_is_pruned()
    {
        _cache.Dispose();
        Directory.CreateDirectory(Path.Combine(_dataDir, "artifacts"));
        var files = Enumerable.Range(0, 3).Select(age =>
        {
            var path = Path.Combine(_dataDir, "artifacts", "sha256-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
            File.WriteAllBytes(path, new byte[FileSize]);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromHours(3 - age));
            return path;
        }).ToList();

        _cache = new ArtifactCache(Options, NullLogger<ArtifactCache>.Instance);

        files.Select(File.Exists).ShouldBe([false, true, true]);
    }

    [Fact]
    public async Task A_limit_of_zero_keeps_everything()
    {
        _cache.Dispose();
        _cache = new ArtifactCache(new NodeEngineOptions { DataDir = _dataDir, ArtifactCacheMaxMb = 0 }, NullLogger<ArtifactCache>.Instance);
        var first = await FetchNewAsync("first.wasm");
        LastUsed(first, hoursAgo: 1);

        await FetchNewAsync("second.wasm");
        await FetchNewAsync("third.wasm");

        File.Exists(first.Path).ShouldBeTrue();
        Directory.GetFiles(Path.Combine(_dataDir, "artifacts"), "sha256-*").Length.ShouldBe(3);
    }

    /// <summary>A URL serving new random content, fetched.</summary>
    private Task<Artifact> FetchNewAsync(string name, string? usedBy = null)
    {
        _server.Add(name, RandomNumberGenerator.GetBytes(FileSize));
        return _cache.FetchAsync(_server.Url(name), "module", null, usedBy, CancellationToken.None);
    }

    private static void LastUsed(Artifact artifact, int hoursAgo) =>
        File.SetLastWriteTimeUtc(artifact.Path, DateTime.UtcNow - TimeSpan.FromHours(hoursAgo));
}
