using System.Security.Cryptography;
using System.Text.Json;
using Canopy.Contracts;

namespace Canopy.Cli.Roles;

/// <summary>
/// The tokens <c>canopy up</c> uses so that its embedded cluster and node join through the same front door as remote ones.
/// Generated on the first start, kept in the data dir (mode 0600).
/// </summary>
internal sealed record JoinTokens(string ClusterJoinToken, string NodeJoinToken)
{
    public static JoinTokens LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, "join-tokens.json");
        if (File.Exists(path) && CanopyJson.Deserialize<JoinTokens>(File.ReadAllText(path)) is { } existing)
        {
            return existing;
        }

        var tokens = new JoinTokens(NewToken(), NewToken());
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(path, JsonSerializer.Serialize(tokens, CanopyJson.Indented));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return tokens;
    }

    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
}
