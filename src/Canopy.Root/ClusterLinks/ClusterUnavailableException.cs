namespace Canopy.Root.ClusterLinks;

/// <summary>A question for a cluster could not be asked or was not answered in time; the message says which and why.</summary>
internal sealed class ClusterUnavailableException(string message) : Exception(message);
