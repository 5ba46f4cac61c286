using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Canopy.Contracts;

namespace Canopy.NodeEngine.Monitoring;

/// <summary>What does not change while the node engine runs: name, address, architecture, OS, configured extras.</summary>
public sealed class NodeFacts
{
    public NodeFacts(NodeEngineOptions options)
    {
        Name = options.NodeName;
        Ip = options.AdvertisedIp is { Length: > 0 } ip ? ip : DetectIp(options.ClusterUrls()[0]);
        Architecture = ArchitectureName(RuntimeInformation.OSArchitecture);
        KernelVersion = ReadFirstLine("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.Version.ToString();
        OsVersion = ReadOsRelease() ?? RuntimeInformation.OSDescription;
        Extras = ToExtras(options.Resources);
    }

    public string Name { get; }
    public string Ip { get; }

    /// <summary>Go's names (amd64, arm64, arm), as Oakestra reports them.</summary>
    public string Architecture { get; }

    public string KernelVersion { get; }
    public string OsVersion { get; }

    /// <summary>The configured non-canonical resources as JSON values; null when there are none.</summary>
    public Dictionary<string, JsonElement>? Extras { get; }

    public static string ArchitectureName(Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm or System.Runtime.InteropServices.Architecture.Armv6 => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>Numbers become JSON numbers (so placement can compare them); anything else, lists like "a,b" included, stays a string.</summary>
    public static Dictionary<string, JsonElement>? ToExtras(IReadOnlyDictionary<string, string> resources)
    {
        if (resources.Count == 0)
        {
            return null;
        }

        var extras = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in resources)
        {
            var text = value.Trim();
            extras[key] = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? JsonSerializer.SerializeToElement(integer, ContractsJsonContext.Default.Int64)
                : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? JsonSerializer.SerializeToElement(number, ContractsJsonContext.Default.Double)
                    : JsonSerializer.SerializeToElement(value, ContractsJsonContext.Default.String);
        }

        return extras;
    }

    /// <summary>The local address the kernel would use to reach the cluster (a UDP "connect" sends nothing).</summary>
    private static string DetectIp(string clusterUrl)
    {
        try
        {
            var uri = new Uri(clusterUrl);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(uri.Host, uri.Port > 0 ? uri.Port : 80);
            if (socket.LocalEndPoint is IPEndPoint { Address: var address } && !address.Equals(IPAddress.Any))
            {
                return address.ToString();
            }
        }
        catch (Exception e) when (e is SocketException or UriFormatException or ArgumentException)
        {
            // Fall back to the interfaces.
        }

        var candidate = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        return candidate?.ToString() ?? "127.0.0.1";
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? ReadOsRelease()
    {
        try
        {
            const string prefix = "PRETTY_NAME=";
            var line = File.Exists("/etc/os-release")
                ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                : null;
            return line?[prefix.Length..].Trim('"');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
