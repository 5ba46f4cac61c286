namespace Canopy.NodeEngine.Runtimes.Artifacts;

/// <summary>A fetched file in the node's cache: <c>&lt;DataDir&gt;/artifacts/sha256-&lt;hex&gt;</c>, never changed once there.</summary>
/// <param name="Digest"><c>sha256:&lt;hex&gt;</c> of the content.</param>
public sealed record Artifact(string Path, string Digest, long Size);
