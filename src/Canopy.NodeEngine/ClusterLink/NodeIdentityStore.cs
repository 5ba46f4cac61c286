using Canopy.Contracts;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary><c>&lt;DataDir&gt;/node.json</c>: the id the cluster gave this node, sent again at every registration to stay the same node.</summary>
internal sealed class NodeIdentityStore(NodeEngineOptions options)
{
    private readonly string _path = Path.Combine(options.DataDir, "node.json");

    public string? Load()
    {
        try
        {
            return File.Exists(_path) ? CanopyJson.Deserialize<NodeIdentity>(File.ReadAllText(_path))?.Id : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Save(string id)
    {
        Directory.CreateDirectory(options.DataDir);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, CanopyJson.Serialize(new NodeIdentity(id)));
        File.Move(temp, _path, overwrite: true);
    }

    private sealed record NodeIdentity(string Id);
}
