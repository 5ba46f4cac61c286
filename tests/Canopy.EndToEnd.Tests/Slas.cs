using System.Text.Json.Nodes;

using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>Descriptors the end-to-end tests deploy, written to temporary files.</summary>
internal static class Slas
{
    /// <summary>busybox httpd as an exec service; each instance serves its number on PORT (= base port + instance number).</summary>
    public static string ExecWeb(string dir, int port, string app = "hello", string extra = "") => Write(dir, $"{app}.json", $$"""
    {
      "sla_version": "v2.0",
      "customerID": "Admin",
      "applications": [{
        "applicationID": "",
        "application_name": "{{app}}",
        "application_namespace": "e2e",
        "application_desc": "end-to-end web",
        "microservices": [{
          "microserviceID": "",
          "microservice_name": "web",
          "microservice_namespace": "e2e",
          "virtualization": "exec",
          "code": "",
          "cmd": ["sh", "-c", "d=$(mktemp -d) && echo \"hello from canopy $CANOPY_INSTANCE\" > $d/index.html && echo serving instance $CANOPY_INSTANCE on $PORT && exec busybox httpd -f -v -p $PORT -h $d"],
          "memory": 64,
          "vcpus": 1,
          "storage": 0,
          "port": "{{port}}"{{extra}}
        }]
      }]
    }
    """);

    public static string OneShot(string dir) => Write(dir, "job.json", """
    {
      "sla_version": "v2.0",
      "customerID": "Admin",
      "applications": [{
        "application_name": "batch",
        "application_namespace": "e2e",
        "microservices": [{
          "microservice_name": "job",
          "microservice_namespace": "e2e",
          "virtualization": "exec",
          "cmd": ["sh", "-c", "echo job done"],
          "memory": 32,
          "vcpus": 0.5,
          "one_shot": true
        }]
      }]
    }
    """);

    public static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static string Yaml(string dir, int port) => Write(dir, "hello.yaml", $"""
    sla_version: v2.0
    customerID: Admin
    applications:
      - application_name: yamlapp
        application_namespace: e2e
        microservices:
          - microservice_name: web
            microservice_namespace: e2e
            virtualization: exec
            cmd: ["sh", "-c", "exec busybox httpd -f -p $PORT -h /tmp"]
            memory: 32
            vcpus: 1
            port: "{port}"
    """);

    public static JsonNode Parse(string text) => JsonNode.Parse(text)!;
}
