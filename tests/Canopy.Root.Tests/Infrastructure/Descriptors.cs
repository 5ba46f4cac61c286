using System.Text.Json.Nodes;

namespace Canopy.Root.Tests.Infrastructure;

/// <summary>Test descriptors: the exec-httpd example of examples/, and variants of it edited as JSON.</summary>
internal static class Descriptors
{
    public static string ExecHttpd => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "exec-httpd.json"));

    /// <summary>The example with its first microservice changed by <paramref name="edit"/>.</summary>
    public static string WithMicroservice(Action<JsonObject> edit, string? applicationName = null)
    {
        var root = JsonNode.Parse(ExecHttpd)!.AsObject();
        var application = root["applications"]![0]!.AsObject();
        if (applicationName is not null)
        {
            application["application_name"] = applicationName;
        }

        edit(application["microservices"]![0]!.AsObject());
        return root.ToJsonString();
    }

    public static string WithApplication(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(ExecHttpd)!.AsObject();
        edit(root["applications"]![0]!.AsObject());
        return root.ToJsonString();
    }
}
