namespace Canopy.NodeEngine.Containerd;

/// <summary>containerd cannot be used right now; the message says why, in words an operator can act on.</summary>
public sealed class ContainerdUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
