using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Core.Descriptors;
using Canopy.Hosting;

namespace Canopy.Root.Deployments;

/// <summary>A microservice of an accepted descriptor: typed for the root, raw (unknown fields and all) for the store.</summary>
internal sealed record IntakeService(SlaMicroservice Typed, JsonObject Raw, string Path);

internal sealed record IntakeApplication(SlaApplication Typed, IReadOnlyList<IntakeService> Services, string Path);

internal sealed record Intake(IReadOnlyList<IntakeApplication> Applications, IReadOnlyList<SlaProblem> Warnings);

/// <summary>Validates an SLA v2.0 body with Core's parser; a bad one is a 400 that lists every error with its path.</summary>
internal static class SlaIntake
{
    public static Intake Read(string json)
    {
        var result = SlaParser.Parse(json);
        if (!result.IsValid || result.Document is null)
        {
            throw Invalid(result.Errors.Select(e => e.ToString()).DefaultIfEmpty("the descriptor is not valid").ToList());
        }

        JsonArray rawApplications;
        try
        {
            rawApplications = JsonNode.Parse(JsonLastWins.Normalize(json))?["applications"]?.AsArray() ?? [];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw Invalid([e.Message]);
        }

        var applications = new List<IntakeApplication>();
        var errors = new List<string>();
        for (var a = 0; a < result.Document.Applications.Count; a++)
        {
            var typed = result.Document.Applications[a];
            var path = $"applications[{a}]";
            var rawServices = rawApplications[a]?["microservices"]?.AsArray() ?? [];
            var services = new List<IntakeService>();
            var names = new HashSet<(string, string)>();
            for (var m = 0; m < typed.Microservices.Count; m++)
            {
                var ms = typed.Microservices[m];
                var servicePath = $"{path}.microservices[{m}]";
                if (!names.Add((ms.MicroserviceName, ms.MicroserviceNamespace)))
                {
                    errors.Add($"{servicePath}.microservice_name: '{ms.MicroserviceName}' in namespace '{ms.MicroserviceNamespace}' appears twice in this application");
                }

                services.Add(new IntakeService(ms, rawServices[m]?.DeepClone().AsObject() ?? [], servicePath));
            }

            applications.Add(new IntakeApplication(typed, services, path));
        }

        return errors.Count > 0 ? throw Invalid(errors) : new Intake(applications, result.Warnings);
    }

    public static ApiProblem Invalid(IReadOnlyList<string> errors) => ApiProblem.BadRequest(
        errors.Count == 1 ? $"The deployment descriptor is not valid: {errors[0]}" : $"The deployment descriptor has {errors.Count} errors; the first: {errors[0]}",
        errors);
}
