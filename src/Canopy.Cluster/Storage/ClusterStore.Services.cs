using Canopy.Contracts;

namespace Canopy.Cluster.Storage;

internal sealed partial class ClusterStore
{
    public Task SaveServiceAsync(ServiceSpec spec, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "INSERT INTO services (service_id, spec, updated_at) VALUES (@id, @spec, @now) " +
            "ON CONFLICT (service_id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
            ("@id", spec.ServiceId), ("@spec", CanopyJson.Serialize(spec.ToStored(v => _secrets.Value.Seal(v)))), ("@now", Time(_time.GetUtcNow()))), ct);

    /// <summary>With its secret values opened: what a deploy to a node carries.</summary>
    public Task<ServiceSpec?> GetServiceAsync(string serviceId, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, "SELECT spec FROM services WHERE service_id = @id", r => CanopyJson.Deserialize<ServiceSpec>(r.GetString(0)),
            ("@id", serviceId)).FirstOrDefault()?.FromStored(v => _secrets.Value.Open(v)), ct);

    /// <summary>Secret values stay sealed: the lists are for net tables and views.</summary>
    public Task<IReadOnlyList<ServiceSpec>> ListServicesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ServiceSpec>>(c => Query(c, null, "SELECT spec FROM services ORDER BY service_id",
            r => CanopyJson.Deserialize<ServiceSpec>(r.GetString(0))).OfType<ServiceSpec>().ToList(), ct);

    public Task DeleteServiceAsync(string serviceId, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM services WHERE service_id = @id", ("@id", serviceId)), ct);
}
