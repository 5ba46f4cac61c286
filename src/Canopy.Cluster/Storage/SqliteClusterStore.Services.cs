using Canopy.Contracts;

namespace Canopy.Cluster.Storage;

internal sealed partial class SqliteClusterStore
{
    public async Task SaveServiceAsync(ServiceSpec spec, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO services (service_id, spec, updated_at) VALUES ($id, $spec, $now)";
        command.Parameters.AddWithValue("$id", spec.ServiceId);
        command.Parameters.AddWithValue("$spec", CanopyJson.Serialize(spec));
        command.Parameters.AddWithValue("$now", Time(_time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<ServiceSpec?> GetServiceAsync(string serviceId, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT spec FROM services WHERE service_id = $id";
        command.Parameters.AddWithValue("$id", serviceId);
        return await command.ExecuteScalarAsync(ct) is string json ? CanopyJson.Deserialize<ServiceSpec>(json) : null;
    }

    public async Task DeleteServiceAsync(string serviceId, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM services WHERE service_id = $id";
        command.Parameters.AddWithValue("$id", serviceId);
        await command.ExecuteNonQueryAsync(ct);
    }
}
