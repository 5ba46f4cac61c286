using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine;

/// <summary><c>&lt;DataDir&gt;/node.lock</c>: held (flock) by the node engine that runs over the data dir, or by a leave.</summary>
internal static class NodeDataDir
{
    public const string LockFileName = "node.lock";

    public static string LockPath(NodeEngineOptions options) => Path.Combine(options.DataDir, LockFileName);

    /// <summary>The lock, or null while another node engine (or leave) holds it.</summary>
    public static FileStream? Lock(NodeEngineOptions options)
    {
        Directory.CreateDirectory(options.DataDir);
        return FileLock.TryTake(LockPath(options));
    }

    public static string InUse(NodeEngineOptions options) =>
        $"another node engine runs over the data dir {options.DataDir} (it holds {LockPath(options)}): stop it first";
}
