using System.Text.Json;
using Canopy.Contracts;

namespace Canopy.Cli.Client;

/// <summary>
/// What <c>canopy login</c> remembers: the server and its tokens, and per server URL the pin of the CA it trusts, in
/// <c>~/.config/canopy/cli.json</c> (mode 0600).
/// </summary>
public sealed class CliConfig
{
    public const string DefaultServer = "https://127.0.0.1:10000";

    public string? Server { get; set; }
    public string? Username { get; set; }
    public string? Token { get; set; }
    public string? RefreshToken { get; set; }

    /// <summary>Server URL (as given, without a trailing slash) to the <c>sha256:</c> pin of its CA.</summary>
    public Dictionary<string, string> CaPins { get; set; } = [];

    public string? PinFor(string server) =>
        CaPins.FirstOrDefault(p => string.Equals(p.Key.TrimEnd('/'), server.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)).Value;

    public void Pin(string server, string pin)
    {
        foreach (var key in CaPins.Keys.Where(k => string.Equals(k.TrimEnd('/'), server.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)).ToList())
        {
            CaPins.Remove(key);
        }

        CaPins[server.TrimEnd('/')] = pin;
    }

    public static string Path =>
        Environment.GetEnvironmentVariable("CANOPY_CONFIG") is { Length: > 0 } p
            ? p
            : System.IO.Path.Combine(ConfigHome(), "canopy", "cli.json");

    public static CliConfig Load()
    {
        try
        {
            return File.Exists(Path) ? CanopyJson.Deserialize<CliConfig>(File.ReadAllText(Path)) ?? new() : new();
        }
        catch (JsonException)
        {
            throw new CliException($"{Path} is not valid JSON; delete it and run `canopy login` again.", ExitCodes.InvalidInput);
        }
    }

    public void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        File.WriteAllText(Path, JsonSerializer.Serialize(this, CanopyJson.Indented));
        File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string ConfigHome() =>
        Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } x
            ? x
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
}
