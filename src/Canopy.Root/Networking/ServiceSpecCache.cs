using Canopy.Contracts;
using Canopy.Root.Deployments;
using Canopy.Root.Store;

namespace Canopy.Root.Networking;

/// <summary>
/// The relay's specs of the services, built again only when a service's stored record changed: a pass runs after every report
/// and deploy, and parsing every stored microservice for each was most of its cost. Used by the relay's one loop only.
/// </summary>
internal sealed class ServiceSpecCache
{
    private readonly Dictionary<string, (ServiceRecord Record, ServiceSpec Spec)> _built = [];

    public ServiceSpec Of(ServiceRecord service)
    {
        if (_built.TryGetValue(service.Id, out var kept) && kept.Record == service)
        {
            return kept.Spec;
        }

        var spec = ServiceSpecs.Build(service);
        _built[service.Id] = (service, spec);
        return spec;
    }

    /// <summary>Forgets the services not in <paramref name="current"/> (deleted ones).</summary>
    public void KeepOnly(IReadOnlyCollection<ServiceSpec> current)
    {
        if (_built.Count > current.Count)
        {
            var ids = current.Select(s => s.ServiceId).ToHashSet();
            foreach (var gone in _built.Keys.Where(id => !ids.Contains(id)).ToList())
            {
                _built.Remove(gone);
            }
        }
    }
}
