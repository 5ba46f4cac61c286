namespace Canopy.Core.Descriptors.Tests;

public class SlaSecretTests
{
    private const string Path = SlaBuilder.MicroservicePath;

    [Fact]
    public void RegistrySecretAndSecrets_AreReadIntoTheModel()
    {
        var result = SlaParser.Parse(SlaBuilder.Edit(root =>
        {
            var ms = SlaBuilder.Microservice(root);
            ms["registry_secret"] = "registry-login";
            ms["secrets"] = System.Text.Json.Nodes.JsonNode.Parse("""
                [{"name": "db", "env": "DB_PASSWORD"}, {"name": "tls", "key": "cert", "file": "/etc/app/cert.pem"}]
                """);
        }));

        result.IsValid.ShouldBeTrue(string.Join("; ", result.Errors));
        result.Warnings.ShouldNotContain(w => w.Path.Contains("secret", StringComparison.Ordinal));
        var ms = result.Document!.Applications[0].Microservices[0];
        ms.RegistrySecret.ShouldBe("registry-login");
        ms.Secrets!.Count.ShouldBe(2);
        ms.Secrets[0].Env.ShouldBe("DB_PASSWORD");
        ms.Secrets[1].Key.ShouldBe("cert");
        ms.Secrets[1].File.ShouldBe("/etc/app/cert.pem");
    }

    [Theory]
    [InlineData("\"registry_secret\"", "\"bad name\"", "registry_secret")]
    [InlineData("\"registry_secret\"", "5", "registry_secret")]
    [InlineData("\"secrets\"", "{}", "secrets")]
    [InlineData("\"secrets\"", "[{\"env\": \"X\"}]", "secrets[0].name")]
    [InlineData("\"secrets\"", "[{\"name\": \"db\"}]", "secrets[0]")]
    [InlineData("\"secrets\"", "[{\"name\": \"db\", \"env\": \"X\", \"file\": \"/x\"}]", "secrets[0]")]
    [InlineData("\"secrets\"", "[{\"name\": \"db\", \"env\": \"1X\"}]", "secrets[0].env")]
    [InlineData("\"secrets\"", "[{\"name\": \"db\", \"file\": \"relative/path\"}]", "secrets[0].file")]
    [InlineData("\"secrets\"", "[{\"name\": \"db\", \"file\": \"/etc/../shadow\"}]", "secrets[0].file")]
    [InlineData("\"secrets\"", "[{\"name\": \"db\", \"file\": \"/etc/\"}]", "secrets[0].file")]
    [InlineData("\"secrets\"", "[{\"name\": \"db\", \"key\": \"\", \"env\": \"X\"}]", "secrets[0].key")]
    [InlineData("\"secrets\"", "[{\"name\": \"a\", \"env\": \"X\"}, {\"name\": \"b\", \"env\": \"X\"}]", "secrets[1].env")]
    [InlineData("\"secrets\"", "[{\"name\": \"a\", \"file\": \"/s\"}, {\"name\": \"b\", \"file\": \"/s\"}]", "secrets[1].file")]
    public void BadReferences_AreRefusedWithTheirFieldPath(string field, string valueJson, string expectedPath)
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField(field.Trim('"'), valueJson));

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Path == $"{Path}.{expectedPath}", string.Join("; ", result.Errors));
    }

    [Fact]
    public void AnUnknownFieldOfAReference_IsAWarningWithASuggestion()
    {
        var result = SlaParser.Parse(SlaBuilder.WithMicroserviceField("secrets", "[{\"name\": \"db\", \"env\": \"X\", \"fiel\": \"/x\"}]"));

        result.IsValid.ShouldBeTrue();
        result.Warnings.ShouldContain(w => w.Path == $"{Path}.secrets[0].fiel" && w.Message.Contains("\"file\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("registry-login", true)]
    [InlineData("db.password_2", true)]
    [InlineData("-x", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void SecretNames_AreSafeInPathsAndUrls(string name, bool valid) => SecretNames.IsValid(name).ShouldBe(valid);
}

public class ImageHostsTests
{
    [Theory]
    [InlineData("nginx", "docker.io")]
    [InlineData("library/nginx:1", "docker.io")]
    [InlineData("127.0.0.1:5001/canopy/busybox:1", "127.0.0.1:5001")]
    [InlineData("Registry.Example.com/app", "registry.example.com")]
    [InlineData("localhost/app", "localhost")]
    [InlineData("index.docker.io/library/nginx", "docker.io")]
    public void Of_FollowsDockersRule(string image, string host) => ImageHosts.Of(image).ShouldBe(host);
}
