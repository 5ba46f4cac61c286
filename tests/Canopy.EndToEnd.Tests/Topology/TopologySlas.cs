namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>Descriptors for the topology tests.</summary>
internal static class TopologySlas
{
    /// <summary>busybox httpd as an exec service on PORT (base port + instance number), optionally pinned to a cluster.</summary>
    public static string ExecHttpd(string dir, string app, int port, string? cluster = null)
    {
        var constraints = cluster is null ? "" : ",\n          \"constraints\": [{\"type\": \"direct\", \"cluster\": \"" + cluster + "\"}]";
        return Slas.Write(dir, $"{app}.json", $$"""
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [{
            "application_name": "{{app}}",
            "application_namespace": "topo",
            "microservices": [{
              "microservice_name": "web",
              "microservice_namespace": "topo",
              "virtualization": "exec",
              "cmd": ["sh", "-c", "exec busybox httpd -f -p $PORT -h /tmp"],
              "memory": 32,
              "vcpus": 0.5,
              "port": "{{port}}"{{constraints}}
            }]
          }]
        }
        """);
    }
}
