using System.Text.Json.Nodes;
using Canopy.Testing;

namespace Canopy.Dashboard.Tests;

/// <summary>The README's first service, <c>examples/exec-httpd.json</c>, as a user pastes it, on a port free on this machine.</summary>
internal static class ExecExample
{
    public const string Application = "hello";
    public const string Service = "web";

    /// <summary>The example's text with its port moved to <paramref name="port"/> (instance n listens on port + n).</summary>
    public static string Descriptor(int port)
    {
        var sla = JsonNode.Parse(File.ReadAllText(Repo.Example("exec-httpd.json")))!;
        sla["applications"]![0]!["microservices"]![0]!["port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return sla.ToJsonString(new() { WriteIndented = true });
    }
}
