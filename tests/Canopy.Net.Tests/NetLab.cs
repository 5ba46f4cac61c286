using System.Diagnostics;
using Canopy.Contracts.Net;
using Canopy.Testing;

namespace Canopy.Net.Tests;

/// <summary>
/// Two nodes, A and B, as network namespaces joined by a veth pair (the underlay, 10.201.n.1 and .2), each with its own
/// <see cref="NodeNetwork"/> prepared and given a /26 (A 10.18.0.0/26, B 10.18.0.64/26). B can host a "container": a third
/// namespace on B's bridge <c>cnp&lt;key&gt;</c>, addressed in B's /26. Servers are busybox httpd processes. Every name carries a
/// per-lab tag; Dispose removes the processes, namespaces (and with them every device and table in them) and files.
/// </summary>
internal sealed class NetLab : IAsyncDisposable
{
    private readonly List<Process> _servers = [];
    private readonly List<string> _namespaces = [];
    private readonly string _dir;

    private NetLab(string tag)
    {
        Tag = tag;
        Net = Random.Shared.Next(0, 256);
        _dir = Path.Combine(Path.GetTempPath(), "canopy-netlab-" + tag);
        A = new LabNode(this, "a", $"10.201.{Net}.1", "10.18.0.0/26");
        B = new LabNode(this, "b", $"10.201.{Net}.2", "10.18.0.64/26");
    }

    public string Tag { get; }

    /// <summary>The third octet of the underlay and of this lab's service IPs (10.30.n.x).</summary>
    public int Net { get; }

    public LabNode A { get; }
    public LabNode B { get; }

    public string ServiceIp(int last) => $"10.30.{Net}.{last}";

    /// <summary>Fails with what is missing: these tests need root, ip, nft, nsenter and busybox (never skipped).</summary>
    public static void RequireWireGuard()
    {
        var missing = new[] { "wireguard-go", "wg" }.Where(t => NetCommands.Find(t) is null).ToList();
        if (missing.Count > 0 || !File.Exists("/dev/net/tun"))
        {
            throw new InvalidOperationException(
                $"The encrypted overlay tests need {string.Join(", ", missing.Append("/dev/net/tun").Take(Math.Max(1, missing.Count)))}: apt-get install wireguard-go wireguard-tools (scripts/install-deps.sh test)");
        }
    }

    public static void RequireKernelTools()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The overlay tests need root (network namespaces, VXLAN devices, nftables): run them as root");
        }

        var missing = new[] { "ip", "bridge", "nft", "nsenter" }.Where(t => NetCommands.Find(t) is null).ToList();
        if (!File.Exists("/bin/busybox"))
        {
            missing.Add("busybox");
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The overlay tests need {string.Join(", ", missing)}: apt-get install iproute2 nftables util-linux busybox-static (scripts/install-deps.sh test)");
        }
    }

    /// <summary>Both nodes prepared (device, table, probe) and given their subnets; nothing applied yet.</summary>
    public static async Task<NetLab> StartAsync()
    {
        RequireKernelTools();
        var lab = new NetLab(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6]);
        try
        {
            Directory.CreateDirectory(lab._dir);
            lab.AddNamespace(lab.A.Namespace);
            lab.AddNamespace(lab.B.Namespace);
            Sh.Run("ip", "link", "add", "nka" + lab.Tag, "netns", lab.A.Namespace, "type", "veth", "peer", "name", "nkb" + lab.Tag, "netns", lab.B.Namespace);
            foreach (var (node, link) in new[] { (lab.A, "nka"), (lab.B, "nkb") })
            {
                Sh.Run("ip", "-n", node.Namespace, "addr", "add", $"{node.Ip}/24", "dev", link + lab.Tag);
                Sh.Run("ip", "-n", node.Namespace, "link", "set", link + lab.Tag, "up");
                await node.StartAsync();
            }

            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gives both nodes <paramref name="service"/> and each other as overlay peer (as they are now: keys and all).</summary>
    public async Task ApplyBothAsync(NetService service)
    {
        await A.Network.ApplyAsync(new NodeNetTable { Services = [service], Peers = [B.Peer] }, CancellationToken.None);
        await B.Network.ApplyAsync(new NodeNetTable { Services = [service], Peers = [A.Peer] }, CancellationToken.None);
    }

    /// <summary>
    /// A "container" on B: namespace <c>nk&lt;tag&gt;c</c> on B's bridge (<c>cnp&lt;key&gt;</c>, B's first address, the
    /// gateway) at 10.18.0.66, serving <paramref name="content"/> on port 8080. Returns its address.
    /// </summary>
    public async Task<string> StartContainerOnBAsync(string content)
    {
        var ns = $"nk{Tag}c";
        var bridge = NetNames.Bridge(B.Key);
        AddNamespace(ns);
        Sh.Run("ip", "-n", B.Namespace, "link", "add", bridge, "type", "bridge");
        Sh.Run("ip", "-n", B.Namespace, "addr", "add", "10.18.0.65/26", "dev", bridge);
        Sh.Run("ip", "-n", B.Namespace, "link", "set", bridge, "up");
        Sh.Run("ip", "link", "add", "nkc" + Tag, "netns", B.Namespace, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Sh.Run("ip", "-n", B.Namespace, "link", "set", "nkc" + Tag, "master", bridge, "up");
        Sh.Run("ip", "-n", ns, "addr", "add", "10.18.0.66/26", "dev", "eth0");
        Sh.Run("ip", "-n", ns, "link", "set", "eth0", "up");
        Sh.Run("ip", "-n", ns, "route", "add", "default", "via", "10.18.0.65");
        // What the CNI bridge plugin (isGateway) does on a container node: the node forwards between overlay and bridge.
        Sh.Run("ip", "netns", "exec", B.Namespace, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        await StartHttpdAsync(ns, "10.18.0.66", 8080, content);
        return "10.18.0.66";
    }

    /// <summary>busybox httpd in <paramref name="ns"/> on <paramref name="ip"/>:<paramref name="port"/>, answering <paramref name="content"/>; returns once it answers there.</summary>
    public async Task StartHttpdAsync(string ns, string ip, int port, string content)
    {
        var root = Path.Combine(_dir, $"{ns}-{port}");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), content);
        var start = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--net=/run/netns/" + ns, "/bin/busybox", "httpd", "-f", "-p", $"{ip}:{port}", "-h", root })
        {
            start.ArgumentList.Add(arg);
        }

        _servers.Add(Process.Start(start)!);
        await Wait.UntilAsync(async () => (await GetAsync(ns, $"http://{ip}:{port}/")).StdOut == content,
            TimeSpan.FromSeconds(10), $"httpd in {ns} on {ip}:{port}");
    }

    /// <summary>
    /// One HTTP request from a host process of <paramref name="ns"/> (busybox wget, at most 5 s: Debian's busybox 1.35 wget
    /// crashes with its own <c>-T</c>).
    /// </summary>
    public static Task<CliResult> GetAsync(string ns, string url) =>
        Sh.RunAsync(["nsenter", "--net=/run/netns/" + ns, "timeout", "5", "/bin/busybox", "wget", "-qO-", url]);

    public static string Output(string ns, params string[] command) => Sh.Output("nsenter", ["--net=/run/netns/" + ns, .. command]);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { A, B })
        {
            await node.Network.DisposeAsync();
        }

        foreach (var server in _servers)
        {
            try
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
            }

            server.Dispose();
        }

        // wireguard-go holds its device (and with it the namespace) until the device is deleted.
        foreach (var node in new[] { A, B })
        {
            Sh.Try("ip", "-n", node.Namespace, "link", "del", NetNames.TunnelDevice(node.Key));
        }

        // Deleting a namespace takes its devices, routes and nftables tables with it.
        foreach (var ns in _namespaces)
        {
            Sh.Try("ip", "netns", "del", ns);
        }

        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private void AddNamespace(string ns)
    {
        Sh.Run("ip", "netns", "add", ns);
        _namespaces.Add(ns);
        Sh.Run("ip", "-n", ns, "link", "set", "lo", "up");
    }
}

/// <summary>A node of the lab: its namespace, underlay address, key, subnet and net manager.</summary>
internal sealed class LabNode(NetLab lab, string name, string ip, string subnet)
{
    public string Id { get; } = "node-" + name;
    public string Namespace { get; } = $"nk{lab.Tag}{name}";
    public string Ip { get; } = ip;
    public string Subnet { get; } = subnet;
    public string Key { get; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8];
    public NodeNetwork Network { get; } = new();
    public NodeOverlay? Overlay { get; set; }

    public NetPeer Peer => new()
    {
        NodeId = Id,
        Ip = Ip,
        Subnet = Subnet,
        VtepMac = Overlay!.VtepMac,
        OverlayPort = Overlay.Port,
        WgPublicKey = Overlay.WgPublicKey,
        WgPort = Overlay.WgPort,
    };

    /// <summary>The node's WireGuard key file (in the lab's directory, removed with it).</summary>
    public string KeyFile => Path.Combine(Path.GetTempPath(), "canopy-netlab-" + lab.Tag, $"{Key}.wireguard.key");

    /// <summary>Carries this node's overlay through WireGuard from now on, as a registration with OverlayEncryption does.</summary>
    public async Task EncryptAsync() =>
        Overlay = await Network.SetEncryptionAsync(new OverlayEncryption(KeyFile), CancellationToken.None);

    public async Task StartAsync()
    {
        Overlay = await Network.PrepareAsync(new NodeNetSettings(Key, Ip) { NetNamespace = "/run/netns/" + Namespace }, CancellationToken.None);
        await Network.SetIdentityAsync(Id, Subnet, CancellationToken.None);
    }

    public string Run(params string[] command) => NetLab.Output(Namespace, command);
}
