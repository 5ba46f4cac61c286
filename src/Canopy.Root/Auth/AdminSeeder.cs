using System.Security.Cryptography;
using Canopy.Contracts.Api;
using Canopy.Root.Store;

namespace Canopy.Root.Auth;

/// <summary>
/// The very first start creates the Admin user with all of Oakestra's roles. Unlike Oakestra (Admin/Admin) the password is
/// generated unless configured, and a generated one is left in <c>&lt;data&gt;/admin-password</c> readable by the owner only.
/// </summary>
internal static class AdminSeeder
{
    public const string AdminName = "Admin";
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static async Task<AdminBootstrap> EnsureAsync(IRootStore store, RootOptions options, TimeProvider time, CancellationToken ct)
    {
        var file = Path.Combine(options.DataDir, "admin-password");
        if (await store.CountUsersAsync(ct) > 0)
        {
            return new AdminBootstrap { UserName = AdminName, PasswordFile = file };
        }

        var generated = string.IsNullOrEmpty(options.AdminPassword);
        var password = generated ? RandomNumberGenerator.GetString(PasswordAlphabet, 20) : options.AdminPassword!;
        if (generated)
        {
            // Written before the user exists: a crash in between leaves a file, never an account nobody can log in to.
            WriteOwnerOnly(file, password + "\n");
        }

        try
        {
            await store.AddUserAsync(
                new UserRecord(AdminName, PasswordHasher.Hash(password), null, time.GetUtcNow()), new MembershipRecord(Organizations.DefaultId, AdminName, Roles.All), ct);
        }
        catch (StoreConflictException)
        {
            // Root replicas starting together on one database: another one created Admin first, with its password, not this one.
            if (generated)
            {
                File.Delete(file);
            }

            return new AdminBootstrap { UserName = AdminName, PasswordFile = file };
        }

        return new AdminBootstrap { UserName = AdminName, PasswordFile = file, InitialPassword = generated ? password : null };
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, text);
            return;
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        // UnixCreateMode applies only to a new file; a leftover one is narrowed here.
        File.SetUnixFileMode(path, mode);
    }
}
