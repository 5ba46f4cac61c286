using Canopy.Cri.V1;

namespace Canopy.Cri;

// RuntimeService: the runtime itself.
public sealed partial class CriClient
{
    /// <summary>Also the cheapest way to learn whether the CRI plugin is loaded: without it, every call is Unimplemented.</summary>
    public Task<VersionResponse> VersionAsync(CancellationToken ct) =>
        RuntimeAsync("Version", _runtime.VersionAsync, new VersionRequest { Version = "v1" }, ct);

    /// <summary>Conditions RuntimeReady and NetworkReady (false while CNI has no configuration).</summary>
    public Task<StatusResponse> StatusAsync(CancellationToken ct) =>
        RuntimeAsync("Status", _runtime.StatusAsync, new StatusRequest(), ct);
}
