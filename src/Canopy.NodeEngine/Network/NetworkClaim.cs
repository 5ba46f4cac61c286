namespace Canopy.NodeEngine.Network;

/// <summary>A node's lock on its record (<see cref="HostNetwork.TryClaim"/>): while it is held, nothing of the node is a leftover.</summary>
internal sealed class NetworkClaim(FileStream lockFile) : IDisposable
{
    public void Dispose() => lockFile.Dispose();
}
