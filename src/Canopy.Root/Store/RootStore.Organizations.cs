using System.Data.Common;
using System.Text.Json;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    private const string OrganizationColumns = "id, name, created_at";

    public Task<IReadOnlyList<OrganizationRecord>> ListOrganizationsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<OrganizationRecord>>(c =>
            Query(c, null, $"SELECT {OrganizationColumns} FROM organizations ORDER BY created_at, name", ReadOrganization), ct);

    public Task<OrganizationRecord?> GetOrganizationAsync(string id, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {OrganizationColumns} FROM organizations WHERE id = @id", ReadOrganization, ("@id", id))
            .FirstOrDefault(), ct);

    public Task<OrganizationRecord?> FindOrganizationByNameAsync(string name, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {OrganizationColumns} FROM organizations WHERE name = @name", ReadOrganization, ("@name", name))
            .FirstOrDefault(), ct);

    public Task AddOrganizationAsync(OrganizationRecord organization, IReadOnlyList<MembershipRecord> members, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            EnsureOrganizationNameFree(c, tx, organization);
            Execute(c, tx, $"INSERT INTO organizations ({OrganizationColumns}) VALUES (@id, @name, @created)",
                ("@id", organization.Id), ("@name", organization.Name), ("@created", Time(organization.CreatedAt)));
            ReplaceMembers(c, tx, organization.Id, members);
            return true;
        }, ct);

    public Task<bool> UpdateOrganizationAsync(OrganizationRecord organization, IReadOnlyList<MembershipRecord>? members, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            EnsureOrganizationNameFree(c, tx, organization);
            if (Execute(c, tx, "UPDATE organizations SET name = @name WHERE id = @id", ("@id", organization.Id), ("@name", organization.Name)) == 0)
            {
                return false;
            }

            if (members is not null)
            {
                ReplaceMembers(c, tx, organization.Id, members);
            }

            return true;
        }, ct);

    public Task<bool> DeleteOrganizationAsync(string id, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            var applications = Scalar(c, tx, "SELECT COUNT(*) FROM applications WHERE organization_id = @id", ("@id", id));
            if (applications > 0)
            {
                throw new StoreConflictException($"the organization still has {applications} application(s); delete them first");
            }

            Execute(c, tx, "DELETE FROM memberships WHERE organization_id = @id", ("@id", id));
            return Execute(c, tx, "DELETE FROM organizations WHERE id = @id", ("@id", id)) > 0;
        }, ct);

    public Task<IReadOnlyList<MembershipRecord>> ListMembershipsAsync(string? organizationId, string? userName, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<MembershipRecord>>(c => Query(c, null,
            "SELECT m.organization_id, m.user_name, m.roles FROM memberships m JOIN organizations o ON o.id = m.organization_id " +
            "WHERE (CAST(@org AS TEXT) IS NULL OR m.organization_id = @org) AND (CAST(@user AS TEXT) IS NULL OR m.user_name = @user) ORDER BY o.created_at, o.name, m.user_name",
            ReadMembership, ("@org", organizationId), ("@user", userName)), ct);

    public Task<bool> SetMembershipAsync(MembershipRecord membership, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            if (!OrganizationExists(c, tx, membership.OrganizationId) ||
                Scalar(c, tx, "SELECT COUNT(*) FROM users WHERE name = @name", ("@name", membership.UserName)) == 0)
            {
                return false;
            }

            Execute(c, tx, "DELETE FROM memberships WHERE organization_id = @org AND user_name = @user",
                ("@org", membership.OrganizationId), ("@user", membership.UserName));
            InsertMembership(c, tx, membership);
            return true;
        }, ct);

    public Task<bool> RemoveMembershipAsync(string organizationId, string userName, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM memberships WHERE organization_id = @org AND user_name = @user",
            ("@org", organizationId), ("@user", userName)) > 0, ct);

    private static bool OrganizationExists(DbConnection c, DbTransaction tx, string id) =>
        Scalar(c, tx, "SELECT COUNT(*) FROM organizations WHERE id = @id", ("@id", id)) > 0;

    private static void EnsureOrganizationNameFree(DbConnection c, DbTransaction tx, OrganizationRecord organization)
    {
        if (Scalar(c, tx, "SELECT COUNT(*) FROM organizations WHERE name = @name AND id <> @id",
                ("@name", organization.Name), ("@id", organization.Id)) > 0)
        {
            throw new StoreConflictException($"an organization named '{organization.Name}' already exists");
        }
    }

    private static void ReplaceMembers(DbConnection c, DbTransaction tx, string organizationId, IReadOnlyList<MembershipRecord> members)
    {
        Execute(c, tx, "DELETE FROM memberships WHERE organization_id = @org", ("@org", organizationId));
        foreach (var member in members)
        {
            if (Scalar(c, tx, "SELECT COUNT(*) FROM users WHERE name = @name", ("@name", member.UserName)) == 0)
            {
                throw new StoreConflictException($"member '{member.UserName}' is not a user; register it first");
            }

            InsertMembership(c, tx, member with { OrganizationId = organizationId });
        }
    }

    private static void InsertMembership(DbConnection c, DbTransaction tx, MembershipRecord membership) =>
        Execute(c, tx, "INSERT INTO memberships (organization_id, user_name, roles) VALUES (@org, @user, @roles)",
            ("@org", membership.OrganizationId), ("@user", membership.UserName), ("@roles", JsonSerializer.Serialize(membership.Roles)));

    private static OrganizationRecord ReadOrganization(DbDataReader r) => new(r.GetString(0), r.GetString(1), ReadTime(r, 2));

    private static MembershipRecord ReadMembership(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), JsonSerializer.Deserialize<List<string>>(r.GetString(2)) ?? []);
}
