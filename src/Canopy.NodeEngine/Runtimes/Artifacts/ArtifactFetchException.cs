namespace Canopy.NodeEngine.Runtimes.Artifacts;

/// <summary>A fetch that did not give the file; the message is one line naming what is wrong (the instance's FAILED reason).</summary>
public sealed class ArtifactFetchException(string message, Exception? inner = null) : Exception(message, inner);
