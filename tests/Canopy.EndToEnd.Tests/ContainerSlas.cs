using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>Container descriptors for the end-to-end tests; images come from the local registry (scripts/test-registry.sh).</summary>
internal static class ContainerSlas
{
    public const string Image = "127.0.0.1:5000/canopy/busybox:1";

    public static string Service(string dir, string app, string cmdJson, int memory = 64, string port = "", string image = Image, string extra = "") =>
        Slas.Write(dir, $"{app}.json", $$"""
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [{
            "application_name": "{{app}}",
            "application_namespace": "e2e",
            "microservices": [{
              "microservice_name": "svc",
              "microservice_namespace": "e2e",
              "virtualization": "container",
              "code": "{{image}}",
              "cmd": {{cmdJson}},
              "memory": {{memory}},
              "vcpus": 0.5,
              "port": "{{port}}"{{extra}}
            }]
          }]
        }
        """);

    public static string Web(string dir, string app, int hostPort) =>
        Service(dir, app, """["httpd", "-f", "-v", "-p", "8080", "-h", "/www"]""", port: $"{hostPort}:8080",
            extra: """, "environment": ["GREETING=hi from env"]""");
}
