using System.Text.Json.Nodes;
using Canopy.Cli.Descriptors;

namespace Canopy.Cli.Tests.Descriptors;

public sealed class DescriptorFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-cli-").FullName;

    [Fact]
    public void ReadAsJson_Yaml_BecomesTheSameJson()
    {
        var path = Path.Combine(_dir, "app.yaml");
        File.WriteAllText(path, """
            sla_version: v2.0
            customerID: Admin
            applications:
              - application_name: hello
                application_namespace: demo
                microservices:
                  - microservice_name: web
                    virtualization: exec
                    memory: 64
                    vcpus: 0.5
                    one_shot: false
                    port: "18080"
                    cmd: [sh, -c, "echo hi"]
            """);

        var json = JsonNode.Parse(DescriptorFile.ReadAsJson(path))!;

        json["sla_version"]!.GetValue<string>().ShouldBe("v2.0");
        var ms = json["applications"]![0]!["microservices"]![0]!;
        ms["memory"]!.GetValue<long>().ShouldBe(64);
        ms["vcpus"]!.GetValue<double>().ShouldBe(0.5);
        ms["one_shot"]!.GetValue<bool>().ShouldBeFalse();
        ms["port"]!.GetValue<string>().ShouldBe("18080");
        ms["cmd"]!.AsArray().Count.ShouldBe(3);
    }

    [Fact]
    public void ReadAsJson_MalformedJson_SaysSo() =>
        Should.Throw<CliException>(() => DescriptorFile.ReadAsJson(Write("bad.json", "{ \"a\": "))).Message.ShouldContain("not valid JSON");

    [Fact]
    public void ReadAsJson_MalformedYaml_SaysWhere() =>
        Should.Throw<CliException>(() => DescriptorFile.ReadAsJson(Write("bad.yaml", "a: [\n"))).Message.ShouldContain("not valid YAML");

    [Fact]
    public void ReadAsJson_MissingFile_SaysSo() =>
        Should.Throw<CliException>(() => DescriptorFile.ReadAsJson(Path.Combine(_dir, "none.json"))).ExitCode.ShouldBe(ExitCodes.InvalidInput);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
