using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Artifacts;

/// <summary>
/// Keeps the cache within <see cref="NodeEngineOptions.ArtifactCacheMaxMb"/>: after each fetch (and at node start) the least
/// recently used files go until it fits. A file's last use is its modification time, set when it is stored and touched on
/// each cache hit. Never removed: a file an existing instance uses (it names its directory when it fetches, see
/// <see cref="RecordUse"/>: a restart after a node engine restart, or a redeploy, then finds it without the network), the
/// file a fetch is handing out, and anything still downloading (those are in <c>tmp/</c>, not counted).
/// </summary>
public sealed partial class ArtifactCache
{
    private const string FilePrefix = "sha256-";

    /// <summary>A file's time stamp may lag the clock by a kernel tick; a file handed out by a running fetch is newer than its start less this.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(1);

    /// <summary>Pruning, and reading or writing the uses, one at a time.</summary>
    private readonly Lock _pruning = new();

    /// <summary>The start of each fetch in progress (by an id of its own): what they hand out is not pruned under them.</summary>
    private readonly ConcurrentDictionary<long, DateTime> _fetchStarts = new();

    private long _nextFetchId;

    /// <summary>One file per instance directory that uses an artifact: its digest and that directory.</summary>
    private string UsesDir => Path.Combine(Dir, "in-use");

    private long BeginFetch()
    {
        var id = Interlocked.Increment(ref _nextFetchId);
        _fetchStarts[id] = DateTime.UtcNow;
        return id;
    }

    private void EndFetch(long id) => _fetchStarts.TryRemove(id, out _);

    /// <summary>
    /// Records that the instance in <paramref name="instanceDir"/> uses <paramref name="artifact"/> (replacing what it used
    /// before): it stays in the cache while that directory exists.
    /// </summary>
    private void RecordUse(string instanceDir, Artifact artifact)
    {
        var dir = Path.GetFullPath(instanceDir);
        lock (_pruning)
        {
            try
            {
                Directory.CreateDirectory(UsesDir);
                var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dir)))[..32];
                File.WriteAllText(Path.Combine(UsesDir, name), $"{artifact.Digest}\n{dir}\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The instance runs its own copy; unrecorded, the cache file may only go sooner.
                LogUseNotRecorded(_logger, dir, artifact.Digest, e.Message);
            }
        }
    }

    /// <summary>The digests existing instances use; the record of an instance whose directory is gone is removed.</summary>
    private HashSet<string> DigestsInUse()
    {
        var digests = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (!Directory.Exists(UsesDir))
        {
            return digests;
        }

        foreach (var file in Directory.EnumerateFiles(UsesDir))
        {
            var lines = File.ReadAllLines(file);
            if (lines.Length >= 2 && Directory.Exists(lines[1]))
            {
                digests.Add(lines[0]);
            }
            else
            {
                File.Delete(file);
            }
        }

        return digests;
    }

    /// <summary>The last use of a cached file is now (a failure to say so only makes it look older).</summary>
    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Read-only or someone else's file: it is still served, only its last use is not recorded.
        }
    }

    /// <summary>
    /// Removes least recently used files until the cache fits its limit, never <paramref name="keep"/> nor one in use. A cache
    /// that cannot be pruned (a file system error) is logged, never the fetch's failure.
    /// </summary>
    internal void Prune(string? keep = null)
    {
        var limitMb = _options.ArtifactCacheMaxMb;
        if (limitMb <= 0 || !Directory.Exists(Dir))
        {
            return;
        }

        try
        {
            PruneTo(limitMb, keep);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotPruned(_logger, Dir, e.Message);
        }
    }

    private void PruneTo(int limitMb, string? keep)
    {
        lock (_pruning)
        {
            RemoveAbandonedDownloads();
            var limit = limitMb * 1024L * 1024L;
            var files = new DirectoryInfo(Dir).EnumerateFiles(FilePrefix + "*").OrderBy(f => f.LastWriteTimeUtc).ToList();
            var total = files.Sum(f => f.Length);
            if (total <= limit)
            {
                return;
            }

            var inUse = DigestsInUse();
            var handedOutSince = _fetchStarts.IsEmpty ? DateTime.MaxValue : _fetchStarts.Values.Min() - ClockSlack;
            foreach (var file in files)
            {
                if (total <= limit)
                {
                    break;
                }

                var digest = "sha256:" + file.Name[FilePrefix.Length..];
                var size = file.Length;

                if (string.Equals(digest, keep, StringComparison.OrdinalIgnoreCase) || inUse.Contains(digest) || file.LastWriteTimeUtc >= handedOutSince)
                {
                    continue;
                }

                var lastUse = file.LastWriteTimeUtc;
                try
                {
                    file.Delete();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    LogNotRemoved(_logger, digest, e.Message);
                    continue;
                }

                total -= size;
                LogRemoved(_logger, digest, size, lastUse, limitMb);
            }

            if (total > limit)
            {
                LogStillOver(_logger, total / (1024 * 1024), limitMb);
            }
        }
    }

    /// <summary>A download's temporary file older than any download may last was left by a node engine that stopped mid-download.</summary>
    private void RemoveAbandonedDownloads()
    {
        var tmp = new DirectoryInfo(Path.Combine(Dir, "tmp"));
        if (!tmp.Exists)
        {
            return;
        }

        var abandoned = DateTime.UtcNow - _options.ArtifactDownloadTimeout - TimeSpan.FromMinutes(1);
        foreach (var file in tmp.EnumerateFiles().Where(f => f.LastWriteTimeUtc < abandoned))
        {
            file.Delete();
        }
    }

    [LoggerMessage(EventId = 4601, Level = LogLevel.Information,
        Message = "Removed {Digest} ({Size} bytes, last used {LastUse:u}) from the artifact cache: it was over its limit of {LimitMb} MiB (ArtifactCacheMaxMb)")]
    private static partial void LogRemoved(ILogger logger, string digest, long size, DateTime lastUse, int limitMb);

    [LoggerMessage(EventId = 4602, Level = LogLevel.Information,
        Message = "The artifact cache holds {TotalMb} MiB, over its limit of {LimitMb} MiB (ArtifactCacheMaxMb), but the rest is in use")]
    private static partial void LogStillOver(ILogger logger, long totalMb, int limitMb);

    [LoggerMessage(EventId = 4603, Level = LogLevel.Warning, Message = "Could not remove {Digest} from the artifact cache: {Reason}")]
    private static partial void LogNotRemoved(ILogger logger, string digest, string reason);

    [LoggerMessage(EventId = 4604, Level = LogLevel.Warning, Message = "Could not prune the artifact cache {Dir}: {Reason}")]
    private static partial void LogNotPruned(ILogger logger, string dir, string reason);

    [LoggerMessage(EventId = 4605, Level = LogLevel.Warning,
        Message = "Could not record that {InstanceDir} uses {Digest} ({Reason}): the artifact cache may remove it while the instance exists")]
    private static partial void LogUseNotRecorded(ILogger logger, string instanceDir, string digest, string reason);
}
