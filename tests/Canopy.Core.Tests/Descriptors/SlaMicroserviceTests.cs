using Canopy.Core.States;

namespace Canopy.Core.Descriptors.Tests;

public class SlaMicroserviceTests
{
    [Theory]
    [InlineData(null, false, RestartPolicy.Always)]
    [InlineData("always", false, RestartPolicy.Always)]
    [InlineData("on-failure", false, RestartPolicy.OnFailure)]
    [InlineData("never", false, RestartPolicy.Never)]
    [InlineData("Never", false, RestartPolicy.Never)]
    [InlineData("bogus", false, RestartPolicy.Always)]
    [InlineData(null, true, RestartPolicy.Never)]
    [InlineData("always", true, RestartPolicy.Never)]
    public void RestartPolicyOrDefault_OneShotWinsThenThePolicy(string? policy, bool oneShot, RestartPolicy expected)
    {
        new SlaMicroservice { RestartPolicy = policy, OneShot = oneShot }.RestartPolicyOrDefault().ShouldBe(expected);
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(5, 5)]
    public void InstancesOrDefault_IsOneWhenAbsent(int? instances, int expected)
    {
        new SlaMicroservice { Instances = instances }.InstancesOrDefault().ShouldBe(expected);
    }

    [Theory]
    [InlineData("docker", "container")]
    [InlineData("container", "container")]
    [InlineData(" EXEC ", "exec")]
    [InlineData("unikernel", "vm")]
    [InlineData("VM", "vm")]
    [InlineData("qemu", "vm")]
    [InlineData("wasm", "wasm")]
    [InlineData("crosvm", null)]
    [InlineData("runsc", null)]
    public void NormalizedVirtualization_ResolvesAliases(string virtualization, string? expected)
    {
        new SlaMicroservice { Virtualization = virtualization }.NormalizedVirtualization().ShouldBe(expected);
    }

    [Theory]
    [InlineData("web", true)]
    [InlineData("Web2", true)]
    [InlineData("a23456789012345678901234567890", true)]
    [InlineData("a234567890123456789012345678901", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("test.special.char", false)]
    [InlineData("front-end", false)]
    [InlineData("snake_case", false)]
    [InlineData("café", false)]
    public void SlaNames_IsValid_FollowsOakestrasPattern(string? name, bool valid)
    {
        SlaNames.IsValid(name).ShouldBe(valid);
    }
}
