using Canopy.Cli.Descriptors;
using Canopy.Core.Descriptors;
using Canopy.Testing;

namespace Canopy.Cli.Tests.Descriptors;

/// <summary>The repository's examples/ are what a new user deploys first: each one must read and parse as a valid SLA.</summary>
public sealed class ExampleFileTests
{
    public static TheoryData<string> Examples
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.Root, "examples"))
                         .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
                         .Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(file));
            }

            return data;
        }
    }

    [Fact]
    public void The_examples_folder_has_the_exec_and_container_examples()
    {
        File.Exists(Repo.Example("exec-httpd.json")).ShouldBeTrue();
        File.Exists(Repo.Example("container-httpd.json")).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_is_a_valid_sla(string file)
    {
        var result = SlaParser.Parse(DescriptorFile.ReadAsJson(Repo.Example(file)));

        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        result.IsValid.ShouldBeTrue();
    }
}
