using System.Text.Json;
using Canopy.Contracts;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary>
/// <c>&lt;DataDir&gt;/node.json</c> (mode 0600): the id the cluster gave this node and the node's own secret, both sent at every
/// registration, and the pin of the cluster's CA. The secret is made before the first registration (and added to a node.json from before secrets existed), so the
/// cluster, which keeps only its hash, can tell this node from anyone else naming its id.
/// </summary>
internal sealed class NodeIdentityStore(NodeEngineOptions options)
{
    public const string FileName = "node.json";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _path = Path.Combine(options.DataDir, FileName);

    /// <summary>The identity kept in the data dir; a secret is made and kept first when there is none.</summary>
    public NodeIdentity Load()
    {
        var kept = Read();
        if (kept is { Secret.Length: > 0 })
        {
            return kept;
        }

        var identity = new NodeIdentity(kept?.Id, Secrets.New(), kept?.ClusterCaPin);
        Write(identity);
        return identity;
    }

    public void Save(string id) => Write(Load() with { Id = id });

    public void SavePin(string pin) => Write(Load() with { ClusterCaPin = pin });

    /// <summary>The pin of the cluster's CA kept by an earlier start, read without making an identity.</summary>
    public string? KeptPin => Read()?.ClusterCaPin;

    private NodeIdentity? Read()
    {
        try
        {
            return File.Exists(_path) ? NodeJson.Deserialize<NodeIdentity>(File.ReadAllText(_path)) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private void Write(NodeIdentity identity)
    {
        Directory.CreateDirectory(options.DataDir);
        var temp = _path + ".tmp";
        File.Delete(temp);
        using (var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        {
            file.Write(NodeJson.SerializeToUtf8(identity));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
    }
}

/// <summary>
/// Who this node is to its cluster: the id it was given (null before the first registration) and its own secret; and who its cluster
/// is: the pin of the cluster's CA its join token carried (null for a plain-http cluster).
/// </summary>
internal sealed record NodeIdentity(string? Id, string Secret, string? ClusterCaPin = null);
