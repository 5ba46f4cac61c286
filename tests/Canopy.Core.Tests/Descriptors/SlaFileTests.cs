namespace Canopy.Core.Descriptors.Tests;

public class SlaFileTests
{
    public static TheoryData<string> ValidFiles => SlaFiles.Names("valid");

    public static TheoryData<string> FlawedFiles => SlaFiles.Names("flawed");

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Parse_ValidFile_HasNoErrors(string file)
    {
        var result = SlaParser.Parse(SlaFiles.Read("valid", file));

        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        result.IsValid.ShouldBeTrue();
        result.Document.ShouldNotBeNull().SlaVersion.ShouldBe("v2.0");
    }

    [Theory]
    [MemberData(nameof(FlawedFiles))]
    public void Parse_FlawedFile_IsRefused(string file)
    {
        var result = SlaParser.Parse(SlaFiles.Read("flawed", file));

        result.IsValid.ShouldBeFalse();
        result.Document.ShouldBeNull();
        result.Errors.ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("sla_flawed_1.json", "sla_version", "api_version")]
    [InlineData("sla_flawed_1.json", "customerID", "must be a string, got number 10000000001")]
    [InlineData("sla_flawed_1.json", "applications[0].applicationID", "must be a string")]
    [InlineData("sla_flawed_1.json", "applications[0].application_name", "\"Example Application\" is not a valid name")]
    [InlineData("sla_flawed_1.json", "applications[0].application_namespace", "is required")]
    [InlineData("sla_flawed_1.json", "applications[0].microservices[0].microserviceID", "must be an empty string when a service is created, got number 4")]
    [InlineData("sla_flawed_1.json", "applications[0].microservices[0].microservice_name", "\"Micro A (4)\" is not a valid name")]
    [InlineData("sla_flawed_1.json", "applications[0].microservices[0].microservice_namespace", "is required")]
    [InlineData("sla_flawed_1.json", "applications[0].microservices[0].port", "must be a string, got number 80")]
    [InlineData("sla_flawed_1.json", "applications[0].microservices[0].connectivity[0].target_microservice_id", "must be a string")]
    [InlineData("sla_flawed_2.json", "applications[0].microservices[0].microservice_name", "must be a string, got number 4")]
    [InlineData("sla_flawed_2.json", "applications[0].microservices[0].port", "must be a string, got number 80")]
    [InlineData("sla_flawed_3.json", "sla_version", "is required")]
    [InlineData("sla_flawed_3.json", "customerID", "is required")]
    [InlineData("sla_flawed_3.json", "applications", "is required")]
    [InlineData("sla_flawed_4.json", "applications[0].microservices[0].connectivity[0].con_constraints[0].type", "is required")]
    [InlineData("sla_flawed_5.json", "applications[0].microservices[0].microservice_name", "\"test.special.char\" is not a valid name")]
    public void Parse_FlawedFile_ReportsThePath(string file, string path, string message)
    {
        var result = SlaParser.Parse(SlaFiles.Read("flawed", file));

        result.Errors.ShouldContain(e => e.Path == path && e.Message.Contains(message), string.Join("\n", result.Errors));
    }

    [Fact]
    public void Parse_EmptyObject_ReportsExactlyTheThreeRequiredFields()
    {
        var result = SlaParser.Parse(SlaFiles.Read("flawed", "sla_flawed_3.json"));

        result.Errors.Select(e => e.Path).ShouldBe(["sla_version", "customerID", "applications"], ignoreOrder: true);
    }

    [Fact]
    public void Parse_FlawedFile1_ReportsEveryProblemAtOnceAndSuggestsTheTypo()
    {
        var result = SlaParser.Parse(SlaFiles.Read("flawed", "sla_flawed_1.json"));

        result.Errors.Count.ShouldBeGreaterThanOrEqualTo(9);
        result.Warnings.ShouldContain(w =>
            w.Path == "applications[0].microservices[0].bandwith_out" && w.Message.Contains("did you mean \"bandwidth_out\""));
    }

    [Fact]
    public void Parse_ExampleA_ReadsBothServices()
    {
        var document = SlaParser.Parse(SlaFiles.Read("valid", "curl.json")).Document.ShouldNotBeNull();

        var app = document.Applications.ShouldHaveSingleItem();
        app.ApplicationName.ShouldBe("clientserver");
        app.Microservices.Select(m => m.MicroserviceName).ShouldBe(["curl", "nginx"]);
        var nginx = app.Microservices[1];
        nginx.Memory.ShouldBe(100);
        nginx.Vcpus.ShouldBe(1);
        nginx.Code.ShouldBe("docker.io/library/nginx:latest");
        nginx.Addresses.ShouldNotBeNull().RrIp.ShouldBe("10.30.30.30");
        nginx.PortMappings().ShouldBe([new PortMapping(6080, 60, "tcp")]);
        app.Microservices[0].Cmd.ShouldBe(["sh", "-c", "tail -f /dev/null"]);

        // Oakestra fields Canopy does not model are kept, not dropped.
        nginx.Extra.ShouldNotBeNull().Keys.ShouldBe(["state", "added_files"], ignoreOrder: true);
    }

    [Fact]
    public void Parse_ExampleB_KeepsForeignRrIpAndLatencyConstraintsWithoutErrors()
    {
        var result = SlaParser.Parse(SlaFiles.Read("valid", "sla_correct_1.json"));

        var microservice = result.Document.ShouldNotBeNull().Applications[0].Microservices[0];
        microservice.Addresses.ShouldNotBeNull().RrIp.ShouldBe("192.168.178.4");
        microservice.Constraints.ShouldNotBeNull().Select(c => (c.Type, c.Area, c.Threshold))
            .ShouldBe([("latency", "munich-1", 100.0), ("latency", "berlin-1", 100.0)]);
        microservice.Connectivity.ShouldNotBeNull().Count.ShouldBe(2);
        microservice.BandwidthIn.ShouldBe(1_000_000);
        result.Document.Extra.ShouldNotBeNull().ShouldContainKey("args");
        result.Warnings.ShouldContain(w => w.Message.Contains("latency constraints are accepted but not used"));
    }

    [Fact]
    public void Parse_Correct4_AcceptsAnApplicationWithoutMicroservicesWithAWarning()
    {
        var result = SlaParser.Parse(SlaFiles.Read("valid", "sla_correct_4.json"));

        result.Document.ShouldNotBeNull().Applications[0].Microservices.ShouldBeEmpty();
        result.Warnings.ShouldContain(w => w.Path == "applications[0].microservices");
    }

    [Fact]
    public void Parse_ExecExample_NormalizesAndKeepsEmptyCode()
    {
        var microservice = SlaParser.Parse(SlaFiles.Read("valid", "exec-httpd.json")).Document.ShouldNotBeNull().Applications[0].Microservices[0];

        microservice.NormalizedVirtualization().ShouldBe(Virtualizations.Exec);
        microservice.Code.ShouldBe("");
        microservice.PortMappings().ShouldBe([new PortMapping(18080, 18080, "tcp")]);
    }
}
