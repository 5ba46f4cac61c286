namespace Canopy.NodeEngine.Network;

/// <summary>A share of the node's lock on its record (<see cref="HostNetwork.TryClaim"/>): while one is held, nothing of the node is a leftover.</summary>
internal sealed class NetworkClaim(Action release) : IDisposable
{
    private int _released;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }
    }
}
