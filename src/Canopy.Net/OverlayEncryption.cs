namespace Canopy.Net;

/// <summary>
/// The node's overlay goes through WireGuard: <paramref name="PrivateKeyFile"/> holds its key (created 0600 on first use, kept
/// so that peers keep knowing the node); <paramref name="Port"/> is the WireGuard UDP port, 0 = the first free from 51820.
/// </summary>
public sealed record OverlayEncryption(string PrivateKeyFile, int Port = 0);
