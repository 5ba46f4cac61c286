using System.Globalization;
using System.Text;
using Canopy.Core.Addressing;

namespace Canopy.Net;

/// <summary>A peer's end of the tunnel: its public key, where its WireGuard listens, and its tunnel address (<see cref="TunnelAddresses"/>).</summary>
public sealed record TunnelPeer(string PublicKey, string Endpoint, int Port, string Address);

/// <summary>
/// A node's WireGuard device <c>cnw&lt;key&gt;</c>, run by wireguard-go (userspace: no kernel module needed) and configured
/// with <c>wg</c>. The VXLAN device sends to the peers' tunnel addresses, routed into this device, so every overlay packet
/// leaves the node encrypted; a guard table drops VXLAN that arrives any other way.
/// </summary>
internal sealed class WireGuardTunnel(NetCommands commands, string key)
{
    public const int DefaultPort = 51820;

    /// <summary>Outer IPv4 (20) + UDP (8) + WireGuard header and tag (32): what the tunnel takes from the underlay's MTU.</summary>
    public const int Overhead = 60;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Device => NetNames.TunnelDevice(key);

    public int Port { get; private set; }

    public string PublicKey { get; private set; } = "";

    public static void CheckTools()
    {
        foreach (var (tool, package) in new[] { ("wireguard-go", "wireguard-go"), ("wg", "wireguard-tools") })
        {
            if (NetCommands.Find(tool) is null)
            {
                throw new NodeNetworkUnavailableException(
                    $"{tool} is not installed: the encrypted overlay needs it (Debian package {package}; scripts/install-deps.sh installs it)");
            }
        }
    }

    /// <summary>Starts wireguard-go for the device (or adopts the running one), gives it the node's key, a port and <paramref name="mtu"/>.</summary>
    public async Task EnsureAsync(OverlayEncryption settings, int mtu, CancellationToken ct)
    {
        CheckTools();
        var privateKey = await LoadOrCreateKeyAsync(settings.PrivateKeyFile, ct).ConfigureAwait(false);
        if (!(await commands.RunAsync("ip", ["link", "show", "dev", Device], null, ct).ConfigureAwait(false)).Ok)
        {
            // wireguard-go daemonises: it returns once the device exists and lives until the device is deleted.
            var started = await commands.RunAsync("wireguard-go", [Device], null, ct).ConfigureAwait(false);
            if (!started.Ok)
            {
                throw new NodeNetworkUnavailableException($"wireguard-go cannot create {Device} ({started.Reason}); it needs /dev/net/tun (modprobe tun)");
            }
        }

        var current = await commands.RunAsync("wg", ["show", Device, "listen-port"], null, ct).ConfigureAwait(false);
        var running = current.Ok && int.TryParse(current.Output.Trim(), CultureInfo.InvariantCulture, out var p) ? p : 0;
        var candidates = settings.Port != 0 ? [settings.Port]
            : running != 0 ? [running]
            : Enumerable.Range(DefaultPort, 20).ToList();
        string? reason = null;
        foreach (var port in candidates)
        {
            var set = await commands.RunAsync("wg", ["set", Device, "private-key", settings.PrivateKeyFile, "listen-port", Num(port)], null, ct)
                .ConfigureAwait(false);
            if (set.Ok)
            {
                Port = port;
                break;
            }

            reason = set.Reason;
        }

        if (Port == 0)
        {
            throw new NodeNetworkUnavailableException($"Cannot configure the WireGuard device {Device}: {reason}");
        }

        await Checked("ip", ["link", "set", "dev", Device, "mtu", Num(mtu), "up"], ct).ConfigureAwait(false);
        PublicKey = (await Checked("wg", ["pubkey"], ct, privateKey).ConfigureAwait(false)).Trim();
    }

    /// <summary>The device's own tunnel address (/32; each peer gets its own route).</summary>
    public Task SetAddressAsync(string address, CancellationToken ct) =>
        Checked("ip", ["addr", "replace", $"{address}/32", "dev", Device], ct);

    /// <summary>
    /// Makes the device's peers and routes exactly <paramref name="peers"/>: each allowed only its tunnel address, routed from
    /// <paramref name="ownAddress"/> (the VXLAN packets' source). Peers and routes of nodes that left are removed.
    /// </summary>
    public async Task ApplyAsync(IReadOnlyList<TunnelPeer> peers, string? ownAddress, CancellationToken ct)
    {
        var known = (await Checked("wg", ["show", Device, "peers"], ct).ConfigureAwait(false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var args = new List<string> { "set", Device };
        foreach (var gone in known.Except(peers.Select(p => p.PublicKey), StringComparer.Ordinal))
        {
            args.AddRange(["peer", gone, "remove"]);
        }

        foreach (var peer in peers)
        {
            args.AddRange(["peer", peer.PublicKey, "endpoint", $"{peer.Endpoint}:{Num(peer.Port)}", "allowed-ips", $"{peer.Address}/32"]);
        }

        if (args.Count > 2)
        {
            await Checked("wg", args.ToArray(), ct).ConfigureAwait(false);
        }

        var script = new StringBuilder();
        var wanted = peers.Select(p => $"{p.Address}").ToHashSet(StringComparer.Ordinal);
        var routes = await Checked("ip", ["-o", "route", "show", "dev", Device], ct).ConfigureAwait(false);
        foreach (var destination in routes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' ')[0]))
        {
            if (!wanted.Contains(destination.Replace("/32", "", StringComparison.Ordinal)))
            {
                script.Append(CultureInfo.InvariantCulture, $"route del {destination} dev {Device}\n");
            }
        }

        foreach (var peer in peers)
        {
            script.Append(CultureInfo.InvariantCulture, $"route replace {peer.Address}/32 dev {Device}")
                .Append(ownAddress is null ? "" : $" src {ownAddress}").Append('\n');
        }

        if (script.Length > 0)
        {
            await Checked("ip", ["-force", "-batch", "-"], ct, script.ToString()).ConfigureAwait(false);
        }
    }

    /// <summary>Drops VXLAN to <paramref name="vxlanPort"/> that did not come out of the tunnel: an encrypting node takes no plain overlay traffic.</summary>
    public Task GuardAsync(int vxlanPort, CancellationToken ct)
    {
        var table = NetNames.TunnelGuardTable(key);
        var rules = $$"""
            table inet {{table}}
            delete table inet {{table}}
            table inet {{table}} {
              chain input {
                type filter hook input priority -10; policy accept;
                iifname != "{{Device}}" udp dport {{Num(vxlanPort)}} counter drop
              }
            }

            """;
        return Checked("nft", ["-f", "-"], ct, rules);
    }

    /// <summary>Removes the device (wireguard-go ends with it) and the guard table when they exist; how many of the two it removed.</summary>
    public static async Task<int> RemoveAsync(NetCommands commands, string key, CancellationToken ct)
    {
        var removed = 0;
        var device = NetNames.TunnelDevice(key);
        if ((await commands.RunAsync("ip", ["link", "show", "dev", device], null, ct).ConfigureAwait(false)).Ok
            && (await commands.RunAsync("ip", ["link", "del", "dev", device], null, ct).ConfigureAwait(false)).Ok)
        {
            removed++;
        }

        var table = NetNames.TunnelGuardTable(key);
        if ((await commands.RunAsync("nft", ["list", "table", "inet", table], null, ct).ConfigureAwait(false)).Ok
            && (await commands.RunAsync("nft", ["delete", "table", "inet", table], null, ct).ConfigureAwait(false)).Ok)
        {
            removed++;
        }

        return removed;
    }

    /// <summary>The node's private key: read, or made with <c>wg genkey</c> and written owner-only (never to a world-readable file first).</summary>
    private async Task<string> LoadOrCreateKeyAsync(string path, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, OwnerOnly);
            return (await File.ReadAllTextAsync(path, ct).ConfigureAwait(false)).Trim();
        }

        var key = (await Checked("wg", ["genkey"], ct).ConfigureAwait(false)).Trim();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        await using (var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        {
            await file.WriteAsync(Encoding.ASCII.GetBytes(key + "\n"), ct).ConfigureAwait(false);
        }

        File.SetUnixFileMode(temp, OwnerOnly);
        File.Move(temp, path, overwrite: true);
        return key;
    }

    private async Task<string> Checked(string program, string[] args, CancellationToken ct, string? input = null)
    {
        var result = await commands.RunAsync(program, args, input, ct).ConfigureAwait(false);
        return result.Ok ? result.Output : throw new InvalidOperationException($"{program} {args.FirstOrDefault()} on {Device} failed: {result.Reason}");
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
