using System.Data.Common;
using Canopy.Core.Descriptors;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    private const string ApplicationColumns = "id, name, namespace, description, owner, deleting, created_at, organization_id";

    private const string ServiceColumns =
        "id, application_id, owner, app_name, app_ns, service_name, service_ns, job_name, microservice, rr_ip, vcpus, memory_mb, " +
        "desired_instances, next_instance_number, deleting, created_at, closest_ip, organization_id";

    public Task AddApplicationsAsync(
        IReadOnlyList<(ApplicationRecord Application, IReadOnlyList<ServiceRecord> Services)> applications, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            foreach (var (application, services) in applications)
            {
                EnsureNameFree(c, tx, application);
                Execute(c, tx, $"INSERT INTO applications ({ApplicationColumns}) VALUES (@id, @name, @ns, @desc, @owner, @deleting, @created, @org)",
                    ("@id", application.Id), ("@name", application.Name), ("@ns", application.Namespace), ("@desc", application.Description),
                    ("@owner", application.Owner), ("@deleting", application.Deleting), ("@created", Time(application.CreatedAt)),
                    ("@org", application.OrganizationId));
                foreach (var service in services)
                {
                    InsertService(c, tx, service);
                }
            }

            return true;
        }, ct);

    public Task<ApplicationRecord?> GetApplicationAsync(string id, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {ApplicationColumns}, version FROM applications WHERE id = @id", ReadApplication, ("@id", id))
            .FirstOrDefault(), ct);

    public Task<IReadOnlyList<ApplicationRecord>> ListApplicationsAsync(string? organizationId, string? owner, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ApplicationRecord>>(c => Query(c, null,
            $"SELECT {ApplicationColumns}, version FROM applications WHERE (CAST(@org AS TEXT) IS NULL OR organization_id = @org) AND (CAST(@owner AS TEXT) IS NULL OR owner = @owner) " +
            "ORDER BY created_at, rowid", ReadApplication, ("@org", organizationId), ("@owner", owner)), ct);

    public Task<bool> UpdateApplicationAsync(ApplicationRecord application, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            EnsureNameFree(c, tx, application);
            if (Execute(c, tx,
                    "UPDATE applications SET name = @name, namespace = @ns, description = @desc, version = version + 1 WHERE id = @id AND version = @version",
                    ("@id", application.Id), ("@name", application.Name), ("@ns", application.Namespace), ("@desc", application.Description),
                    ("@version", application.Version)) == 0)
            {
                return Stale(c, tx, "applications", "application", application.Id, application.Version);
            }

            // job_name embeds the application's name and namespace.
            var services = Query(c, tx, $"SELECT {ServiceColumns}, version FROM services WHERE application_id = @id", ReadService, ("@id", application.Id));
            foreach (var s in services)
            {
                Execute(c, tx, "UPDATE services SET app_name = @an, app_ns = @ans, job_name = @job, version = version + 1 WHERE id = @id",
                    ("@id", s.Id), ("@an", application.Name), ("@ans", application.Namespace),
                    ("@job", JobNames.For(application.Name, application.Namespace, s.ServiceName, s.ServiceNs)));
            }

            return true;
        }, ct);

    public Task AddServicesAsync(IReadOnlyList<ServiceRecord> services, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            foreach (var service in services)
            {
                InsertService(c, tx, service);
            }

            return true;
        }, ct);

    public Task<ServiceRecord?> GetServiceAsync(string id, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {ServiceColumns}, version FROM services WHERE id = @id", ReadService, ("@id", id)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<ServiceRecord>> ListServicesAsync(string? applicationId, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ServiceRecord>>(c => applicationId is null
            ? Query(c, null, $"SELECT {ServiceColumns}, version FROM services ORDER BY created_at, rowid", ReadService)
            : Query(c, null, $"SELECT {ServiceColumns}, version FROM services WHERE application_id = @app ORDER BY created_at, rowid",
                ReadService, ("@app", applicationId)), ct);

    public Task<IReadOnlyList<(string ServiceId, string? RrIp, string? ClosestIp)>> ListServiceIpsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<(string, string?, string?)>>(
            c => Query(c, null, "SELECT id, rr_ip, closest_ip FROM services", r => (r.GetString(0), StringOrNull(r, 1), StringOrNull(r, 2))), ct);

    public Task<bool> UpdateServiceAsync(ServiceRecord service, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx,
            "UPDATE services SET microservice = @ms, rr_ip = @rr, closest_ip = @closest, vcpus = @vcpus, memory_mb = @mem, " +
            "desired_instances = @desired, version = version + 1 WHERE id = @id AND version = @version",
            ("@id", service.Id), ("@ms", service.Microservice), ("@rr", service.RrIp), ("@closest", service.ClosestIp), ("@vcpus", service.Vcpus),
            ("@mem", service.MemoryMb), ("@desired", service.DesiredInstances), ("@version", service.Version)) > 0
            || Stale(c, tx, "services", "service", service.Id, service.Version), ct);

    /// <summary>
    /// An update of <paramref name="id"/> based on <paramref name="version"/> changed nothing: false when the record is gone; a
    /// <see cref="StoreConflictException"/> when another writer (another request, another replica) changed it since it was read.
    /// </summary>
    private static bool Stale(DbConnection c, DbTransaction tx, string table, string what, string id, int version)
    {
        var now = Query(c, tx, $"SELECT version FROM {table} WHERE id = @id", r => Int(r, 0), ("@id", id));
        return now.Count == 0
            ? false
            : throw new StoreConflictException(
                $"{what} '{id}' was changed by another request since this one read it (version {version}, now {now[0]}); nothing was " +
                "written: read it again and repeat the change");
    }

    private static void EnsureNameFree(DbConnection c, DbTransaction tx, ApplicationRecord application)
    {
        var taken = Scalar(c, tx,
            "SELECT COUNT(*) FROM applications WHERE owner = @owner AND name = @name AND namespace = @ns AND id <> @id",
            ("@owner", application.Owner), ("@name", application.Name), ("@ns", application.Namespace), ("@id", application.Id));
        if (taken > 0)
        {
            throw new StoreConflictException(
                $"application '{application.Name}' in namespace '{application.Namespace}' already exists for user '{application.Owner}'");
        }
    }

    private static void InsertService(DbConnection c, DbTransaction tx, ServiceRecord s) =>
        Execute(c, tx,
            $"INSERT INTO services ({ServiceColumns}) VALUES (@id, @app, @owner, @an, @ans, @sn, @sns, @job, @ms, @rr, @vcpus, @mem, " +
            "@desired, @next, @deleting, @created, @closest, @org)",
            ("@id", s.Id), ("@app", s.ApplicationId), ("@owner", s.Owner), ("@an", s.AppName), ("@ans", s.AppNs), ("@sn", s.ServiceName),
            ("@sns", s.ServiceNs), ("@job", s.JobName), ("@ms", s.Microservice), ("@rr", s.RrIp), ("@vcpus", s.Vcpus), ("@mem", s.MemoryMb),
            ("@desired", s.DesiredInstances), ("@next", s.NextInstanceNumber), ("@deleting", s.Deleting), ("@created", Time(s.CreatedAt)),
            ("@closest", s.ClosestIp), ("@org", s.OrganizationId));

    private static ApplicationRecord ReadApplication(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Namespace = r.GetString(2),
        Description = StringOrNull(r, 3),
        Owner = r.GetString(4),
        Deleting = Flag(r, 5),
        CreatedAt = ReadTime(r, 6),
        OrganizationId = r.GetString(7),
        Version = Int(r, 8),
    };

    private static ServiceRecord ReadService(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        ApplicationId = r.GetString(1),
        Owner = r.GetString(2),
        AppName = r.GetString(3),
        AppNs = r.GetString(4),
        ServiceName = r.GetString(5),
        ServiceNs = r.GetString(6),
        JobName = r.GetString(7),
        Microservice = r.GetString(8),
        RrIp = StringOrNull(r, 9),
        Vcpus = r.GetDouble(10),
        MemoryMb = r.GetInt32(11),
        DesiredInstances = r.GetInt32(12),
        NextInstanceNumber = r.GetInt32(13),
        Deleting = Flag(r, 14),
        CreatedAt = ReadTime(r, 15),
        ClosestIp = StringOrNull(r, 16),
        OrganizationId = r.GetString(17),
        Version = Int(r, 18),
    };
}
