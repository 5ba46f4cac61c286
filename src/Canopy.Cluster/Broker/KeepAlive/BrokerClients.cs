using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Canopy.Cluster.Broker.KeepAlive;

/// <summary>An MQTT client as the broker logged its connection: who it is and the keep-alive it asked for (0 = none).</summary>
internal sealed record BrokerClient(string ClientId, string? User, int KeepAliveSeconds);

/// <summary>
/// Which client each broker socket belongs to, learnt from Mosquitto's own log ("New client connected from 10.0.0.2:40312 as
/// node-ne (p2, c1, k1, u'node')."): the broker's view of the address, so it holds behind NAT as well. The latest connection from
/// an address wins, and a client's newer connection replaces its older one; a closed socket simply no longer shows up in the
/// kernel's list, so its entry does no harm until it is replaced.
/// </summary>
internal sealed partial class BrokerClients
{
    private readonly Dictionary<IPEndPoint, BrokerClient> _byEndpoint = [];
    private readonly Dictionary<string, IPEndPoint> _endpointOf = new(StringComparer.Ordinal);

    public int Count => _byEndpoint.Count;

    /// <summary>One line of the broker's log; lines other than a client's connection are ignored.</summary>
    public void Read(string line)
    {
        if (Parse(line) is not ({ } endpoint, { } client))
        {
            return;
        }

        if (_endpointOf.Remove(client.ClientId, out var older))
        {
            _byEndpoint.Remove(older);
        }

        if (_byEndpoint.Remove(endpoint, out var previous))
        {
            _endpointOf.Remove(previous.ClientId);
        }

        _byEndpoint[endpoint] = client;
        _endpointOf[client.ClientId] = endpoint;
    }

    public BrokerClient? At(IPEndPoint remote) => _byEndpoint.GetValueOrDefault(remote);

    internal static (IPEndPoint Endpoint, BrokerClient Client)? Parse(string line)
    {
        var match = ConnectedLine().Match(line);
        if (!match.Success
            || !IPAddress.TryParse(match.Groups["address"].ValueSpan.Trim("[]"), out var address)
            || !int.TryParse(match.Groups["port"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort
            || !int.TryParse(match.Groups["keepalive"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var keepAlive))
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var user = match.Groups["user"].Success ? match.Groups["user"].Value : null;
        return (new IPEndPoint(address, port), new BrokerClient(match.Groups["id"].Value, user, keepAlive));
    }

    [GeneratedRegex(@"New client connected from (?<address>\S+):(?<port>\d+) as (?<id>\S+) \(p\d+, c\d+, k(?<keepalive>\d+)(, u'(?<user>[^']*)')?\)\.", RegexOptions.CultureInvariant)]
    private static partial Regex ConnectedLine();
}
