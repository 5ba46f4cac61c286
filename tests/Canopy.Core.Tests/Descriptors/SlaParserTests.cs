using System.Text.Json;
using System.Text.Json.Nodes;

namespace Canopy.Core.Descriptors.Tests;

public class SlaParserTests
{
    private const string Ms = SlaBuilder.MicroservicePath;

    [Theory]
    [InlineData("memory", "\"100\"", "memory", "must be an integer, got string")]
    [InlineData("memory", "1.5", "memory", "must be an integer, got number 1.5")]
    [InlineData("memory", "-1", "memory", "must not be negative")]
    [InlineData("memory", "3000000000", "memory", "is too large")]
    [InlineData("memory", "null", "memory", "must be an integer, got null")]
    [InlineData("vcpus", "\"1\"", "vcpus", "must be a number, got string")]
    [InlineData("vcpus", "-0.5", "vcpus", "must be at least 0")]
    [InlineData("vgpus", "-1", "vgpus", "must not be negative")]
    [InlineData("vtpus", "true", "vtpus", "must be an integer, got boolean true")]
    [InlineData("storage", "-1", "storage", "must not be negative")]
    [InlineData("bandwidth_in", "\"fast\"", "bandwidth_in", "must be an integer")]
    [InlineData("bandwidth_out", "-8", "bandwidth_out", "must not be negative")]
    [InlineData("instances", "0", "instances", "must be between 1 and 100")]
    [InlineData("instances", "101", "instances", "must be between 1 and 100")]
    [InlineData("instances", "\"2\"", "instances", "must be an integer")]
    [InlineData("port", "80", "port", "must be a string, got number 80")]
    [InlineData("port", "\"0\"", "port", "\"0\"")]
    [InlineData("port", "\"80/sctp\"", "port", "protocol \"sctp\" is not supported")]
    [InlineData("port", "\"80:http\"", "port", "container port \"http\"")]
    [InlineData("one_shot", "\"true\"", "one_shot", "must be a boolean, got string")]
    [InlineData("privileged", "1", "privileged", "must be a boolean, got number 1")]
    [InlineData("restart_policy", "\"sometimes\"", "restart_policy", "use one of always, on-failure, never")]
    [InlineData("restart_policy", "1", "restart_policy", "must be a string")]
    [InlineData("cmd", "\"ls -al\"", "cmd", "must be an array, got string")]
    [InlineData("cmd", "[\"ls\", 1]", "cmd[1]", "must be a string, got number 1")]
    [InlineData("args", "[true]", "args[0]", "must be a string")]
    [InlineData("environment", "[\"NOVALUE\"]", "environment[0]", "is not KEY=VALUE")]
    [InlineData("environment", "[\"A=1\", \"1A=b\"]", "environment[1]", "\"1A\" is not a valid variable name")]
    [InlineData("environment", "[\"=x\"]", "environment[0]", "is not a valid variable name")]
    [InlineData("environment", "{\"A\": \"1\"}", "environment", "must be an array, got an object")]
    [InlineData("virtualization", "\"unikernal\"", "virtualization", "virtualization 'unikernal' is not known (did you mean \"unikernel\"?); use one of container, docker")]
    [InlineData("virtualization", "\"dockr\"", "virtualization", "(did you mean \"docker\"?)")]
    [InlineData("virtualization", "\"firecracker\"", "virtualization", "virtualization 'firecracker' is not known; use one of container, docker, containerd, runc, exec, native, process, wasm, wasi, vm, unikernel, qemu, crosvm, runsc")]
    [InlineData("virtualization", "3", "virtualization", "must be a string")]
    [InlineData("virtualization", null, "virtualization", "is required")]
    [InlineData("code", "\"\"", "code", "must name the image")]
    [InlineData("code", null, "code", "is required for a container")]
    [InlineData("code", "[]", "code", "must be a string")]
    [InlineData("microserviceID", "\"abc\"", "microserviceID", "must be an empty string when a service is created, got string \"abc\"")]
    [InlineData("microserviceID", "4", "microserviceID", "must be an empty string when a service is created, got number 4")]
    [InlineData("microservice_name", "\"test.special.char\"", "microservice_name", "\"test.special.char\" is not a valid name")]
    [InlineData("microservice_name", "\"front-end\"", "microservice_name", "is not a valid name")]
    [InlineData("microservice_name", "\"a234567890123456789012345678901\"", "microservice_name", "is 31 characters long")]
    [InlineData("microservice_name", "\"\"", "microservice_name", "must not be empty")]
    [InlineData("microservice_name", "4", "microservice_name", "must be a string, got number 4")]
    [InlineData("microservice_name", null, "microservice_name", "is required")]
    [InlineData("microservice_namespace", null, "microservice_namespace", "is required")]
    [InlineData("microservice_namespace", "\"de mo\"", "microservice_namespace", "is not a valid name")]
    [InlineData("addresses", "\"10.30.0.1\"", "addresses", "must be an object")]
    [InlineData("addresses", "{\"rr_ip\": \"10.30.0.300\"}", "addresses.rr_ip", "is not an IPv4 address")]
    [InlineData("addresses", "{\"rr_ip\": \"fdff:2000::1\"}", "addresses.rr_ip", "is not an IPv4 address")]
    [InlineData("addresses", "{\"rr_ip\": 5}", "addresses.rr_ip", "must be a string")]
    [InlineData("addresses", "{\"closest_ip\": \"x\"}", "addresses.closest_ip", "is not an IPv4 address")]
    [InlineData("addresses", "{\"rr_ip_v6\": \"10.30.0.1\"}", "addresses.rr_ip_v6", "is not an IPv6 address")]
    [InlineData("constraints", "{}", "constraints", "must be an array")]
    [InlineData("constraints", "[1]", "constraints[0]", "must be an object")]
    [InlineData("constraints", "[{}]", "constraints[0].type", "is required")]
    [InlineData("constraints", "[{\"type\": \"teleport\"}]", "constraints[0].type", "constraint type 'teleport' is not known")]
    [InlineData("constraints", "[{\"type\": \"direct\"}]", "constraints[0]", "names a \"cluster\" and/or a \"node\"")]
    [InlineData("constraints", "[{\"type\": \"direct\", \"node\": \" ; \"}]", "constraints[0]", "names a \"cluster\" and/or a \"node\"")]
    [InlineData("constraints", "[{\"type\": \"direct\", \"cluster\": 1}]", "constraints[0].cluster", "must be a string")]
    [InlineData("constraints", "[{\"type\": \"clusters\"}]", "constraints[0].allowed", "is required")]
    [InlineData("constraints", "[{\"type\": \"clusters\", \"allowed\": []}]", "constraints[0].allowed", "at least one")]
    [InlineData("constraints", "[{\"type\": \"clusters\", \"allowed\": \"c1\"}]", "constraints[0].allowed", "must be an array")]
    [InlineData("constraints", "[{\"type\": \"geo\", \"location\": \"Munich\", \"threshold\": 10}]", "constraints[0].location", "\"Munich\" is not a location")]
    [InlineData("constraints", "[{\"type\": \"geo\", \"location\": \"95,11\", \"threshold\": 10}]", "constraints[0].location", "is not a location")]
    [InlineData("constraints", "[{\"type\": \"geo\", \"threshold\": 10}]", "constraints[0].location", "is required")]
    [InlineData("constraints", "[{\"type\": \"geo\", \"location\": \"48.1,11.5\"}]", "constraints[0].threshold", "is required")]
    [InlineData("constraints", "[{\"type\": \"geo\", \"location\": \"48.1,11.5\", \"threshold\": 0}]", "constraints[0].threshold", "must be greater than 0")]
    [InlineData("constraints", "[{\"type\": \"geo\", \"location\": \"48.1,11.5\", \"threshold\": \"10\"}]", "constraints[0].threshold", "must be a number")]
    [InlineData("constraints", "[{\"type\": \"latency\"}]", "constraints[0].threshold", "is required")]
    [InlineData("constraints", "[{\"type\": \"addons\"}]", "constraints[0].needs", "is required")]
    [InlineData("constraints", "[{\"type\": \"addons\", \"needs\": [1]}]", "constraints[0].needs[0]", "must be a string")]
    [InlineData("connectivity", "{}", "connectivity", "must be an array")]
    [InlineData("connectivity", "[{\"con_constraints\": [{}]}]", "connectivity[0].con_constraints[0].type", "is required")]
    [InlineData("connectivity", "[{\"con_constraints\": \"x\"}]", "connectivity[0].con_constraints", "must be an array")]
    [InlineData("connectivity", "[{\"target_microservice_id\": 1}]", "connectivity[0].target_microservice_id", "must be a string")]
    [InlineData("volumes", "[{\"volume_id\": \"data\"}]", "volumes[0].csi_driver", "is required")]
    [InlineData("added_files", "[1]", "added_files[0]", "must be a string")]
    [InlineData("state", "1", "state", "must be a string")]
    public void Parse_MicroserviceField_ReportsItsPath(string field, string? valueJson, string path, string message)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField(field, valueJson));

        result.IsValid.ShouldBeFalse();
        result.Document.ShouldBeNull();
        result.Errors.ShouldContain(e => e.Path == $"{Ms}.{path}" && e.Message.Contains(message), string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("vcpus", "0.5")]
    [InlineData("vcpus", "0")]
    [InlineData("memory", "0")]
    [InlineData("virtualization", "\"docker\"")]
    [InlineData("virtualization", "\"Container\"")]
    [InlineData("port", "\"80\"")]
    [InlineData("port", "\"53:53/udp; 80:8080 ;\"")]
    [InlineData("port", "\"\"")]
    [InlineData("port", null)]
    [InlineData("environment", "[\"A=1\", \"_B=x=y\", \"C=\"]")]
    [InlineData("one_shot", "true")]
    [InlineData("restart_policy", "\"on-failure\"")]
    [InlineData("instances", "3")]
    [InlineData("microserviceID", "\"\"")]
    [InlineData("microserviceID", null)]
    [InlineData("addresses", "{\"rr_ip\": \"192.168.178.4\"}")]
    [InlineData("addresses", "{\"rr_ip\": \"10.30.0.10\", \"rr_ip_v6\": \"fdff:2000::10\"}")]
    [InlineData("constraints", "[]")]
    [InlineData("constraints", "[{\"type\": \"direct\", \"node\": \"xavier1\", \"cluster\": \"gpu\"}]")]
    [InlineData("constraints", "[{\"type\": \"direct\", \"node\": \"n1;n2\"}]")]
    [InlineData("constraints", "[{\"type\": \"clusters\", \"allowed\": [\"cluster1\", \"cluster2\"]}]")]
    [InlineData("constraints", "[{\"type\": \"geo\", \"location\": \"48.1374,11.5755\", \"threshold\": 120}]")]
    [InlineData("constraints", "[{\"type\": \"latency\", \"area\": \"munich-1\", \"threshold\": 100, \"rigidness\": 0.99, \"convergence_time\": 300}]")]
    [InlineData("constraints", "[{\"type\": \"addons\", \"needs\": [\"gpu\"]}]")]
    [InlineData("connectivity", "[{\"target_microservice_id\": \"1\", \"con_constraints\": []}]")]
    [InlineData("volumes", "[{\"volume_id\": \"data\", \"csi_driver\": \"csi.example.com\", \"mount_path\": \"/data\", \"config\": {}}]")]
    [InlineData("platform", "\"linux/arm64\"")]
    public void Parse_MicroserviceField_ValidValueIsAccepted(string field, string? valueJson)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField(field, valueJson));

        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        result.IsValid.ShouldBeTrue();
    }

    [Theory]
    [InlineData("application_name", "\"test.special.char\"", "application_name", "\"test.special.char\" is not a valid name")]
    [InlineData("application_name", null, "application_name", "is required")]
    [InlineData("application_namespace", "\"a234567890123456789012345678901\"", "application_namespace", "at most 30")]
    [InlineData("application_namespace", null, "application_namespace", "is required")]
    [InlineData("applicationID", "1000010001", "applicationID", "must be a string")]
    [InlineData("application_desc", "[]", "application_desc", "must be a string")]
    [InlineData("microservices", "{}", "microservices", "must be an array")]
    [InlineData("microservices", "[\"front\"]", "microservices[0]", "must be an object describing a microservice")]
    public void Parse_ApplicationField_ReportsItsPath(string field, string? valueJson, string path, string message)
    {
        var result = SlaParser.Parse(SlaBuilder.WithApplicationField(field, valueJson));

        result.Errors.ShouldContain(e => e.Path == $"applications[0].{path}" && e.Message.Contains(message), string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("sla_version", "\"v1.0\"", "sla_version", "only v2.0 is")]
    [InlineData("sla_version", "\"v3\"", "sla_version", "\"v3\" is not a supported version")]
    [InlineData("sla_version", "2", "sla_version", "must be a string, got number 2")]
    [InlineData("sla_version", null, "sla_version", "is required")]
    [InlineData("customerID", "10000000001", "customerID", "must be a string")]
    [InlineData("applications", "{}", "applications", "must be an array, got an object")]
    [InlineData("applications", "[3]", "applications[0]", "must be an object describing an application")]
    [InlineData("args", "[1]", "args[0]", "must be a string")]
    public void Parse_TopLevelField_ReportsItsPath(string field, string? valueJson, string path, string message)
    {
        var result = SlaParser.Parse(SlaBuilder.WithTopLevelField(field, valueJson));

        result.Errors.ShouldContain(e => e.Path == path && e.Message.Contains(message), string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("", "the descriptor is empty")]
    [InlineData("   ", "the descriptor is empty")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("\"v2.0\"", "must be a JSON object")]
    [InlineData("null", "must be a JSON object")]
    public void Parse_NotAnObject_IsOneErrorAtTheRoot(string json, string message)
    {
        var result = SlaParser.Parse(json);

        var error = result.Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe("");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void Parse_MalformedJson_IsOneErrorWithLineAndPosition()
    {
        var result = SlaParser.Parse("{\n  \"sla_version\": \"v2.0\",\n  \"customerID\": Admin\n}");

        var error = result.Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe("");
        error.Message.ShouldStartWith("the descriptor is not valid JSON (line 3, position");
        error.Message.ShouldNotContain("LineNumber");
        result.Document.ShouldBeNull();
    }

    [Fact]
    public void Parse_LeadingByteOrderMark_IsIgnored()
    {
        SlaParser.Parse("\uFEFF" + SlaBuilder.Base).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Parse_TrailingComma_IsMalformed()
    {
        SlaParser.Parse("{\"sla_version\": \"v2.0\",}").Errors.ShouldHaveSingleItem().Message.ShouldContain("not valid JSON");
    }

    [Fact]
    public void Parse_ApiVersionInsteadOfSlaVersion_SaysWhatToRename()
    {
        var json = SlaBuilder.Edit(root =>
        {
            root.Remove("sla_version");
            root["api_version"] = "v0.3.0";
        });

        var error = SlaParser.Parse(json).Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe("sla_version");
        error.Message.ShouldContain("\"api_version\"");
        error.Message.ShouldContain("\"sla_version\": \"v2.0\"");
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsAllOfThem()
    {
        var json = SlaBuilder.Edit(root =>
        {
            root["customerID"] = 1;
            var microservice = SlaBuilder.Microservice(root);
            microservice["memory"] = "100";
            microservice["port"] = 80;
            microservice["virtualization"] = "unikernal";
        });

        SlaParser.Parse(json).Errors.Select(e => e.Path).ShouldBe(
            ["customerID", $"{Ms}.memory", $"{Ms}.port", $"{Ms}.virtualization"], ignoreOrder: true);
    }

    [Fact]
    public void Parse_DuplicateMicroserviceNames_IsAnErrorOnTheSecond()
    {
        var json = SlaBuilder.Edit(root =>
        {
            var services = root["applications"]![0]!["microservices"]!.AsArray();
            services.Add(services[0]!.DeepClone());
        });

        var error = SlaParser.Parse(json).Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe("applications[0].microservices[1].microservice_name");
        error.Message.ShouldContain("already used by microservices[0]");
    }

    [Fact]
    public void Parse_DuplicateApplications_IsAnErrorOnTheSecond()
    {
        var json = SlaBuilder.Edit(root =>
        {
            var applications = root["applications"]!.AsArray();
            applications.Add(applications[0]!.DeepClone());
        });

        SlaParser.Parse(json).Errors.ShouldHaveSingleItem().Path.ShouldBe("applications[1].application_name");
    }

    [Fact]
    public void Parse_SameNameInTwoApplications_IsAllowed()
    {
        var json = SlaBuilder.Edit(root =>
        {
            var applications = root["applications"]!.AsArray();
            var second = applications[0]!.DeepClone();
            second["application_name"] = "other";
            applications.Add(second);
        });

        SlaParser.Parse(json).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Parse_EmptyApplicationsAndMicroservices_AreValidWithWarnings()
    {
        SlaParser.Parse(SlaBuilder.WithTopLevelField("applications", "[]")).ShouldSatisfyAllConditions(
            r => r.IsValid.ShouldBeTrue(),
            r => r.Warnings.ShouldContain(w => w.Path == "applications"));
        SlaParser.Parse(SlaBuilder.WithApplicationField("microservices", "[]")).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Parse_ExecWithoutCodeOrCommand_IsAnError()
    {
        var json = SlaBuilder.Edit(root =>
        {
            var microservice = SlaBuilder.Microservice(root);
            microservice["virtualization"] = "exec";
            microservice["code"] = "";
        });

        SlaParser.Parse(json).Errors.ShouldHaveSingleItem().Path.ShouldBe($"{Ms}.cmd");
    }

    [Theory]
    [InlineData("\"\"", "[\"sh\", \"-c\", \"sleep 1\"]")]
    [InlineData(null, "[\"sleep\", \"1\"]")]
    [InlineData("\"/usr/bin/server\"", null)]
    public void Parse_ExecWithCodeOrCommand_IsValid(string? code, string? cmd)
    {
        var json = SlaBuilder.Edit(root =>
        {
            var microservice = SlaBuilder.Microservice(root);
            microservice["virtualization"] = "exec";
            microservice.Remove("code");
            if (code is not null)
            {
                microservice["code"] = JsonNode.Parse(code);
            }

            if (cmd is not null)
            {
                microservice["cmd"] = JsonNode.Parse(cmd);
            }
        });

        SlaParser.Parse(json).Errors.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("memory", "0")]
    [InlineData("memory", null)]
    [InlineData("vcpus", "0")]
    [InlineData("vcpus", null)]
    public void Parse_ZeroOrMissingLimits_AreWarnings(string field, string? valueJson)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField(field, valueJson));

        result.IsValid.ShouldBeTrue();
        result.Warnings.ShouldContain(w => w.Path == $"{Ms}.{field}" && w.Message.Contains("no"));
    }

    [Theory]
    [InlineData("crosvm")]
    [InlineData("runsc")]
    [InlineData("Kata-QEMU")]
    public void Parse_RuntimeOnlyOakestraRuns_IsAcceptedWithAWarningThatNamesIt(string virtualization)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField("virtualization", $"\"{virtualization}\""));

        result.Errors.ShouldBeEmpty();
        result.Warnings.Where(w => w.Path == $"{Ms}.virtualization").ShouldHaveSingleItem().Message
            .ShouldContain($"'{virtualization}' is accepted but Canopy does not run it yet");
    }

    [Theory]
    [InlineData("vgpus", "1", "vgpus")]
    [InlineData("vtpus", "2", "vtpus")]
    [InlineData("storage", "1000", "storage")]
    [InlineData("bandwidth_in", "1000000", "bandwidth_in")]
    [InlineData("bandwidth_out", "8000", "bandwidth_out")]
    [InlineData("privileged", "true", "privileged")]
    [InlineData("volumes", "[{\"volume_id\": \"data\", \"csi_driver\": \"csi.example.com\"}]", "volumes")]
    [InlineData("platform", "\"linux/arm64\"", "platform")]
    [InlineData("state", "\"https://example.com/state.json\"", "state")]
    [InlineData("added_files", "[\"https://example.com/a.jpg\"]", "added_files")]
    [InlineData("sla_violation_strategy", "\"reschedule\"", "sla_violation_strategy")]
    [InlineData("target_node", "\"xavier1\"", "target_node")]
    [InlineData("connectivity", "[{\"target_microservice_id\": \"1\", \"con_constraints\": []}]", "connectivity")]
    [InlineData("addresses", "{\"rr_ip_v6\": \"fdff:2000::10\"}", "addresses.rr_ip_v6")]
    [InlineData("addresses", "{\"closest_ip_v6\": \"fdff:2000::11\"}", "addresses.closest_ip_v6")]
    [InlineData("addresses", "{\"instances\": [{\"from\": \"10.30.1.1\", \"to\": \"10.30.1.9\", \"start\": \"10.30.1.1\"}]}", "addresses.instances")]
    public void Parse_FieldAcceptedButNotHonoured_EarnsAWarningNamingIt(string field, string valueJson, string warnedPath)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField(field, valueJson));

        result.Errors.ShouldBeEmpty();
        result.Warnings.ShouldContain(w => w.Path == $"{Ms}.{warnedPath}" && w.Message.StartsWith("is accepted but not honoured: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("vgpus", "0")]
    [InlineData("storage", "0")]
    [InlineData("privileged", "false")]
    [InlineData("volumes", "[]")]
    [InlineData("state", "\"\"")]
    [InlineData("added_files", "[]")]
    [InlineData("connectivity", "[]")]
    [InlineData("addresses", "{\"rr_ip\": \"10.30.0.10\"}")]
    public void Parse_NotHonouredFieldLeftEmpty_StaysQuiet(string field, string valueJson)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField(field, valueJson));

        result.Warnings.ShouldNotContain(w => w.Message.Contains("not honoured"));
    }

    [Theory]
    [InlineData("memmory", "\"memory\"")]
    [InlineData("Memory", "\"memory\"")]
    [InlineData("bandwith_in", "\"bandwidth_in\"")]
    [InlineData("colour", null)]
    public void Parse_UnknownMicroserviceField_IsKeptWithAWarning(string field, string? suggestion)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField(field, "1"));

        result.IsValid.ShouldBeTrue();
        var microservice = result.Document!.Applications[0].Microservices[0];
        microservice.Extra.ShouldNotBeNull().ShouldContainKey(field);
        var warning = result.Warnings.Where(w => w.Path == $"{Ms}.{field}").ShouldHaveSingleItem();
        if (suggestion is null)
        {
            warning.Message.ShouldNotContain("did you mean");
        }
        else
        {
            warning.Message.ShouldContain($"did you mean {suggestion}");
        }
    }

    [Fact]
    public void Parse_UnknownTopLevelField_IsKeptWithAWarning()
    {
        var result = SlaParser.Parse(SlaBuilder.WithTopLevelField("owner", "{\"team\": \"edge\"}"));

        result.IsValid.ShouldBeTrue();
        result.Document!.Extra.ShouldNotBeNull()["owner"].GetProperty("team").GetString().ShouldBe("edge");
        result.Warnings.ShouldContain(w => w.Path == "owner");
    }

    [Fact]
    public void Parse_RepeatedField_IsAWarningAndTheLastValueCounts()
    {
        var json = SlaBuilder.Base.Replace("\"memory\": 64,", "\"memory\": 64, \"memory\": 128, \"colour\": 1, \"colour\": 2,");

        var result = SlaParser.Parse(json);

        result.Errors.ShouldBeEmpty();
        result.Document!.Applications[0].Microservices[0].Memory.ShouldBe(128);
        result.Warnings.ShouldContain(w => w.Path == $"{Ms}.memory" && w.Message.Contains("more than once"));
    }

    [Fact]
    public void Parse_OneShotWithRestartPolicy_WarnsThatThePolicyIsIgnored()
    {
        var json = SlaBuilder.Edit(root =>
        {
            var microservice = SlaBuilder.Microservice(root);
            microservice["one_shot"] = true;
            microservice["restart_policy"] = "always";
        });

        var result = SlaParser.Parse(json);

        result.IsValid.ShouldBeTrue();
        result.Warnings.ShouldContain(w => w.Path == $"{Ms}.restart_policy");
        result.Document!.Applications[0].Microservices[0].RestartPolicyOrDefault().ShouldBe(States.RestartPolicy.Never);
    }

    [Fact]
    public void Parse_ValidDocument_ReadsEveryModelledField()
    {
        var json = SlaBuilder.Edit(root =>
        {
            var microservice = SlaBuilder.Microservice(root);
            microservice["vcpus"] = 0.5;
            microservice["environment"] = new JsonArray("A=1");
            microservice["args"] = new JsonArray("--verbose");
            microservice["restart_policy"] = "on-failure";
            microservice["instances"] = 3;
            microservice["privileged"] = true;
            microservice["bandwidth_out"] = 8000;
            microservice["addresses"] = new JsonObject { ["rr_ip"] = "10.30.0.10", ["closest_ip"] = "10.30.0.11" };
            microservice["constraints"] = JsonNode.Parse("[{\"type\": \"geo\", \"location\": \"48.1,11.5\", \"threshold\": 50, \"extra\": 1}]");
        });

        var microservice = SlaParser.Parse(json).Document.ShouldNotBeNull().Applications[0].Microservices[0];

        microservice.ShouldSatisfyAllConditions(
            m => m.Vcpus.ShouldBe(0.5),
            m => m.Memory.ShouldBe(64),
            m => m.Environment.ShouldBe(["A=1"]),
            m => m.Args.ShouldBe(["--verbose"]),
            m => m.RestartPolicyOrDefault().ShouldBe(States.RestartPolicy.OnFailure),
            m => m.InstancesOrDefault().ShouldBe(3),
            m => m.Privileged.ShouldBeTrue(),
            m => m.BandwidthOut.ShouldBe(8000),
            m => m.Addresses!.ClosestIp.ShouldBe("10.30.0.11"),
            m => m.Constraints!.ShouldHaveSingleItem().Threshold.ShouldBe(50),
            m => m.Constraints![0].Extra!.ShouldContainKey("extra"));
    }

    [Fact]
    public void ParseMicroservice_ReportsPathsUnderThePrefix()
    {
        using var document = JsonDocument.Parse("{\"microservice_name\": \"a.b\", \"microservice_namespace\": \"x\", \"virtualization\": \"exec\", \"cmd\": [\"true\"], \"memory\": \"1\"}");

        var result = SlaParser.ParseMicroservice(document.RootElement, "service");

        result.IsValid.ShouldBeFalse();
        result.Errors.Select(e => e.Path).ShouldBe(["service.microservice_name", "service.memory"], ignoreOrder: true);
    }

    [Fact]
    public void ParseMicroservice_ValidElement_IsRead()
    {
        using var document = JsonDocument.Parse("{\"microservice_name\": \"web\", \"microservice_namespace\": \"x\", \"virtualization\": \"exec\", \"cmd\": [\"true\"], \"memory\": 32, \"vcpus\": 1}");

        var result = SlaParser.ParseMicroservice(document.RootElement);

        result.IsValid.ShouldBeTrue();
        result.Microservice!.MicroserviceName.ShouldBe("web");
        result.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void SlaProblem_ToString_ShowsPathAndMessage()
    {
        new SlaProblem("a.b", "is wrong").ToString().ShouldBe("a.b: is wrong");
        new SlaProblem("", "is wrong").ToString().ShouldBe("is wrong");
    }
}
