using System.Text.Json.Nodes;

namespace Canopy.Core.Descriptors.Tests;

/// <summary>A valid one-service descriptor, changed one field at a time by the tests.</summary>
internal static class SlaBuilder
{
    public const string MicroservicePath = "applications[0].microservices[0]";

    public const string Base = """
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [
            {
              "applicationID": "",
              "application_name": "shop",
              "application_namespace": "demo",
              "application_desc": "test",
              "microservices": [
                {
                  "microserviceID": "",
                  "microservice_name": "front",
                  "microservice_namespace": "demo",
                  "virtualization": "container",
                  "code": "docker.io/library/nginx:latest",
                  "memory": 64,
                  "vcpus": 1,
                  "port": "8080:80"
                }
              ]
            }
          ]
        }
        """;

    /// <summary>The base with the microservice's <paramref name="field"/> set to <paramref name="valueJson"/>, or removed when it is null.</summary>
    public static string WithMicroserviceField(string field, string? valueJson) =>
        Edit(root => Set(root["applications"]![0]!["microservices"]![0]!.AsObject(), field, valueJson));

    public static string WithApplicationField(string field, string? valueJson) =>
        Edit(root => Set(root["applications"]![0]!.AsObject(), field, valueJson));

    public static string WithTopLevelField(string field, string? valueJson) => Edit(root => Set(root, field, valueJson));

    public static string Edit(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Base)!.AsObject();
        change(root);
        return root.ToJsonString();
    }

    public static JsonObject Microservice(JsonObject root) => root["applications"]![0]!["microservices"]![0]!.AsObject();

    private static void Set(JsonObject target, string field, string? valueJson)
    {
        if (valueJson is null)
        {
            target.Remove(field);
        }
        else
        {
            target[field] = JsonNode.Parse(valueJson);
        }
    }
}
