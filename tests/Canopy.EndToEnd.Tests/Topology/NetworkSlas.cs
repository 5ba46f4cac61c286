namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>Applications whose services call each other, for the net manager's topology tests.</summary>
internal static class NetworkSlas
{
    /// <summary>
    /// Application <c>net</c>: a container <c>server</c> (busybox httpd on 8080, rr_ip 10.30.30.30) on the container worker of
    /// cluster-1, a container <c>client</c> on the container worker of cluster-0 fetching it by service IP and by name, an exec
    /// <c>web</c> (httpd on 18080 + instance number, rr_ip 10.30.30.31, serving "web N") on cluster-1, and an exec <c>caller</c>
    /// on c0w1 fetching <c>web</c> by service IP and by name.
    /// </summary>
    public static string CrossCluster(string dir) => Slas.Write(dir, "net.json", $$"""
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [{
            "application_name": "net",
            "application_namespace": "topo",
            "microservices": [
              {{Server("10.30.30.30", "cluster-1", "c1w0")}},
              {
                "microservice_name": "client",
                "microservice_namespace": "topo",
                "virtualization": "container",
                "code": "127.0.0.1:5000/canopy/busybox:1",
                "cmd": ["sh", "-c", "while :; do timeout 2 wget -qO- http://10.30.30.30:8080/ | sed 's/^/by ip: /'; timeout 2 wget -qO- http://server:8080/ | sed 's/^/by name: /'; sleep 0.5; done"],
                "memory": 32, "vcpus": 0.2, "port": "",
                "constraints": [{ "type": "direct", "cluster": "cluster-0", "node": "c0w0" }]
              },
              {
                "microservice_name": "web",
                "microservice_namespace": "topo",
                "virtualization": "exec",
                "cmd": ["sh", "-c", "d=$(mktemp -d) && echo \"web $CANOPY_INSTANCE\" > $d/index.html && exec busybox httpd -f -v -p $PORT -h $d"],
                "memory": 32, "vcpus": 0.1, "port": "18080",
                "addresses": { "rr_ip": "10.30.30.31" },
                "constraints": [{ "type": "direct", "cluster": "cluster-1" }]
              },
              {
                "microservice_name": "caller",
                "microservice_namespace": "topo",
                "virtualization": "exec",
                "cmd": ["sh", "-c", "while :; do timeout 2 busybox wget -qO- http://10.30.30.31:18080/ | sed 's/^/by ip: /'; timeout 2 busybox wget -qO- http://web.net:18080/ | sed 's/^/by name: /'; sleep 0.5; done"],
                "memory": 16, "vcpus": 0.1, "port": "",
                "constraints": [{ "type": "direct", "cluster": "cluster-0", "node": "c0w1" }]
              }
            ]
          }]
        }
        """);

    /// <summary>Application <c>near</c>: an exec httpd serving "near N" on 18090 + N behind closest_ip 10.30.30.40, never restarted.</summary>
    public static string Closest(string dir) => Slas.Write(dir, "near.json", $$"""
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [{
            "application_name": "near",
            "application_namespace": "topo",
            "microservices": [{
              "microservice_name": "near",
              "microservice_namespace": "topo",
              "virtualization": "exec",
              "cmd": ["sh", "-c", "d=$(mktemp -d) && echo \"near $CANOPY_INSTANCE\" > $d/index.html && exec busybox httpd -f -p $PORT -h $d"],
              "memory": 16, "vcpus": 0.1, "port": "18090", "restart_policy": "never",
              "addresses": { "closest_ip": "10.30.30.40" }
            }]
          }]
        }
        """);

    /// <summary>
    /// Application <c>sealed</c>: a container <c>server</c> (busybox httpd on 8080, rr_ip 10.30.30.50) on c0w0, and an exec
    /// <c>caller</c> on c0w1 fetching it by service IP (so across the overlay between the two workers).
    /// </summary>
    public static string Encrypted(string dir) => Slas.Write(dir, "sealed.json", $$"""
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [{
            "application_name": "sealed",
            "application_namespace": "topo",
            "microservices": [
              {{Server("10.30.30.50", "cluster-0", "c0w0")}},
              {
                "microservice_name": "caller",
                "microservice_namespace": "topo",
                "virtualization": "exec",
                "cmd": ["sh", "-c", "while :; do timeout 2 busybox wget -qO- http://10.30.30.50:8080/ | sed 's/^/by ip: /'; sleep 0.5; done"],
                "memory": 16, "vcpus": 0.1, "port": "",
                "constraints": [{ "type": "direct", "cluster": "cluster-0", "node": "c0w1" }]
              }
            ]
          }]
        }
        """);

    /// <summary>A container <c>server</c> (busybox httpd on 8080 behind <paramref name="rrIp"/>) on <paramref name="node"/> of <paramref name="cluster"/>.</summary>
    private static string Server(string rrIp, string cluster, string node) => $$"""
        {
          "microservice_name": "server",
          "microservice_namespace": "topo",
          "virtualization": "container",
          "code": "127.0.0.1:5000/canopy/busybox:1",
          "cmd": ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"],
          "memory": 32, "vcpus": 0.2, "port": "",
          "addresses": { "rr_ip": "{{rrIp}}" },
          "constraints": [{ "type": "direct", "cluster": "{{cluster}}", "node": "{{node}}" }]
        }
        """;
}
