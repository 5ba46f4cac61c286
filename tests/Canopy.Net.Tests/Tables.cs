using Canopy.Contracts.Net;

namespace Canopy.Net.Tests;

/// <summary>Short builders for net tables in tests.</summary>
internal static class Tables
{
    public static NetInstance Container(int number, string node, string address) =>
        new() { InstanceNumber = number, NodeId = node, Address = address };

    public static NetInstance Exec(int number, string node, string address, params NetPort[] ports) =>
        new() { InstanceNumber = number, NodeId = node, Address = address, Ports = ports };

    public static NetService Service(string id, string? rr, string? closest = null, params NetInstance[] instances) =>
        new()
        {
            ServiceId = id,
            AppName = "app",
            AppNs = "default",
            ServiceName = id,
            ServiceNs = "default",
            JobName = $"app.default.{id}.default",
            RrIp = rr,
            ClosestIp = closest,
            Instances = instances,
        };

    public static NetPeer Peer(string node, string ip, string subnet, string mac, int port = 0) =>
        new() { NodeId = node, Ip = ip, Subnet = subnet, VtepMac = mac, OverlayPort = port };

    public static NodeNetTable Table(params NetService[] services) => new() { Services = services };
}
