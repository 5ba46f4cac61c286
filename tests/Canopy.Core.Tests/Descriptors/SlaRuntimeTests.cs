using System.Text.Json.Nodes;
namespace Canopy.Core.Descriptors.Tests;

/// <summary>The SLA's wasm and vm runtimes (vm alias unikernel) and Oakestra's arch and vm_images, which placement honours.</summary>
public class SlaRuntimeTests
{
    private const string Ms = "applications[0].microservices[0]";

    [Theory]
    [InlineData("unikernel", "vm")]
    [InlineData("qemu", "vm")]
    [InlineData("vm", "vm")]
    [InlineData(" Unikernel ", "vm")]
    [InlineData("wasm", "wasm")]
    [InlineData("docker", "container")]
    [InlineData("crosvm", "crosvm")]
    [InlineData("runsc", "runsc")]
    [InlineData("firecracker", null)]
    public void Canonical_NamesOneRuntimeForEverySpelling(string virtualization, string? expected)
    {
        Virtualizations.Canonical(virtualization).ShouldBe(expected);
    }

    [Fact]
    public void WasmAndVm_AreKnown_CrosvmAndContainerdRuntimesStayForeign()
    {
        Virtualizations.Known.ShouldBe(["container", "exec", "wasm", "vm"]);
        foreach (var own in (string[])["wasm", "vm", "unikernel", "qemu"])
        {
            Virtualizations.IsForeign(own).ShouldBeFalse(own);
        }

        foreach (var foreign in (string[])["crosvm", "runsc", "kata-qemu"])
        {
            Virtualizations.IsForeign(foreign).ShouldBeTrue(foreign);
        }
    }

    [Theory]
    [InlineData("x86_64", "amd64")]
    [InlineData("AMD64", "amd64")]
    [InlineData("aarch64", "arm64")]
    [InlineData("arm64", "arm64")]
    [InlineData("armv7l", "arm")]
    [InlineData("i686", "386")]
    [InlineData("riscv64", "riscv64")]
    [InlineData("ppc64el", "ppc64le")]
    [InlineData("sparc", null)]
    [InlineData("", null)]
    public void Architectures_NormaliseGoAndUnameNames(string name, string? expected)
    {
        Architectures.Normalize(name).ShouldBe(expected);
    }

    [Theory]
    [InlineData("unikernel")]
    [InlineData("vm")]
    [InlineData("wasm")]
    public void OwnRuntime_WithItsCode_IsValidWithoutTheForeignWarning(string virtualization)
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = virtualization;
            ms["code"] = "https://example.com/artifact";
        });

        result.Errors.ShouldBeEmpty();
        result.Warnings.ShouldNotContain(w => w.Path == $"{Ms}.virtualization");
        result.Document!.Applications[0].Microservices[0].NormalizedVirtualization().ShouldBe(virtualization == "wasm" ? "wasm" : "vm");
    }

    [Fact]
    public void Wasm_WithoutCode_NamesTheModuleItNeeds()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "wasm";
            ms.Remove("code");
        });

        result.Errors.ShouldHaveSingleItem().ToString().ShouldBe(
            $"{Ms}.code: a wasm service needs its module: set code to a URL or an OCI artifact, e.g. \"code\": \"https://example.com/hello.wasm\"");
    }

    [Fact]
    public void Unikernel_WithNeitherCodeNorVmImages_NamesTheKernelItNeeds()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "unikernel";
            ms["code"] = "";
        });

        result.Errors.ShouldHaveSingleItem().Message.ShouldStartWith("a unikernel service needs its kernel: set code to the kernel image's URL");
    }

    [Fact]
    public void Unikernel_WithVmImagesPerArch_IsValid_AndArchIsNoLongerNotHonoured()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "unikernel";
            ms["code"] = "";
            ms["arch"] = new JsonArray("x86_64", "arm64");
            ms["vm_images"] = new JsonArray("https://example.com/k-amd64", "https://example.com/k-arm64");
        });

        result.Errors.ShouldBeEmpty();
        result.Warnings.ShouldNotContain(w => w.Path.StartsWith($"{Ms}.arch", StringComparison.Ordinal) || w.Path.StartsWith($"{Ms}.vm_images", StringComparison.Ordinal));
        var microservice = result.Document!.Applications[0].Microservices[0];
        microservice.NormalizedArch().ShouldBe(["amd64", "arm64"]);
        microservice.VmImages.ShouldBe(["https://example.com/k-amd64", "https://example.com/k-arm64"]);
    }

    [Theory]
    [InlineData("[\"sparc\"]", "arch[0]", "\"sparc\" is not an architecture Canopy knows; use one of amd64, arm64, arm, 386, riscv64")]
    [InlineData("[\"amd64\", \"x86_64\"]", "arch[1]", "\"x86_64\" names amd64 a second time")]
    [InlineData("[1]", "arch[0]", "must be a string")]
    [InlineData("\"amd64\"", "arch", "must be an array")]
    public void Arch_Invalid_IsAnErrorAtItsEntry(string archJson, string path, string message)
    {
        var result = Parse(ms => ms["arch"] = JsonNode.Parse(archJson));

        result.Errors.ShouldContain(e => e.Path == $"{Ms}.{path}" && e.Message.Contains(message), string.Join("\n", result.Errors));
    }

    [Fact]
    public void VmImages_OfAnotherLengthThanArch_SaysEntryIIsForArchI()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "vm";
            ms["arch"] = new JsonArray("amd64");
            ms["vm_images"] = new JsonArray("https://example.com/a", "https://example.com/b");
        });

        result.Errors.ShouldHaveSingleItem().ToString().ShouldBe(
            $"{Ms}.vm_images: has 2 images but arch has 1 entry: entry i of vm_images is the image for arch[i], so give one image per architecture");
    }

    [Fact]
    public void VmImages_WithoutArch_AsksForIt()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "vm";
            ms["vm_images"] = new JsonArray("https://example.com/a");
        });

        result.Errors.ShouldHaveSingleItem().Message.ShouldStartWith("needs arch: entry i of vm_images is the image for arch[i]");
    }

    [Fact]
    public void UnikernelCode_ListingOneKernelPerArch_IsValid_AsOakestraReadsIt()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "unikernel";
            ms["code"] = "https://example.com/k-amd64.tar.gz, https://example.com/k-arm64.tar.gz";
            ms["arch"] = new JsonArray("x86_64", "aarch64");
        });

        result.Errors.ShouldBeEmpty();
        result.Warnings.ShouldNotContain(w => w.Path.StartsWith($"{Ms}.code", StringComparison.Ordinal));
        PerArchitectureCode.Entries(result.Document!.Applications[0].Microservices[0].Code)
            .ShouldBe(["https://example.com/k-amd64.tar.gz", "https://example.com/k-arm64.tar.gz"]);
    }

    [Theory]
    [InlineData("https://e.com/a,https://e.com/b,https://e.com/c", "[\"amd64\", \"arm64\"]", false,
        "lists 3 kernels separated by commas but arch has 2 entries: entry i of code is the kernel for arch[i], " +
        "so give one kernel per architecture (a comma inside one URL is written %2C)")]
    [InlineData("https://e.com/a,https://e.com/b", null, false,
        "lists 2 kernels separated by commas, one per architecture as Oakestra reads it, but there is no arch: add arch with one entry per kernel")]
    [InlineData("https://e.com/a,", "[\"amd64\", \"arm64\"]", false, "kernel 2 of its comma-separated list is empty; give the kernel's URL for arch[1]")]
    [InlineData("https://e.com/a,https://e.com/b", "[\"amd64\", \"arm64\"]", true,
        "lists one kernel per architecture (comma separated) and vm_images does too: give them in one of the two")]
    public void VmCode_ListingKernels_Wrongly_IsOneErrorOnCodeSayingWhy(string code, string? archJson, bool vmImages, string message)
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "vm";
            ms["code"] = code;
            if (archJson is not null)
            {
                ms["arch"] = JsonNode.Parse(archJson);
            }

            if (vmImages)
            {
                ms["vm_images"] = new JsonArray("https://e.com/a", "https://e.com/b");
            }
        });

        var error = result.Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe($"{Ms}.code");
        error.Message.ShouldStartWith(message);
    }

    [Fact]
    public void Code_WithACommaForAnotherRuntime_IsNotAKernelList()
    {
        // Only the vm runtime reads code per architecture; an exec service's code is its program, commas and all.
        var result = Parse(ms =>
        {
            ms["virtualization"] = "exec";
            ms["code"] = "/opt/a,b";
            ms["cmd"] = new JsonArray("/opt/a,b");
            ms["arch"] = new JsonArray("amd64");
        });

        result.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void VmImages_ForAContainer_IsIgnoredWithAWarning()
    {
        var result = Parse(ms =>
        {
            ms["arch"] = new JsonArray("amd64");
            ms["vm_images"] = new JsonArray("https://example.com/a");
        });

        result.Errors.ShouldBeEmpty();
        result.Warnings.Where(w => w.Path == $"{Ms}.vm_images").ShouldHaveSingleItem().Message
            .ShouldBe("is only read by the vm runtime (virtualization \"vm\" or \"unikernel\"); it is ignored for container");
    }

    [Fact]
    public void Privileged_ForVm_IsOneWarningSayingItIsIgnored()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "unikernel";
            ms["privileged"] = true;
        });

        result.Errors.ShouldBeEmpty();
        result.Warnings.Where(w => w.Path == $"{Ms}.privileged").ShouldHaveSingleItem().Message
            .ShouldBe("is ignored for vm: the guest runs isolated from the node either way");
    }

    [Fact]
    public void Privileged_ForWasm_IsAnError_AsTheNodeWouldFailIt()
    {
        var result = Parse(ms =>
        {
            ms["virtualization"] = "wasm";
            ms["privileged"] = true;
        });

        result.Errors.ShouldHaveSingleItem().ToString().ShouldBe(
            $"{Ms}.privileged: a wasm service cannot be privileged: a module has no access to the host to be privileged with; remove \"privileged\": true");
        result.Warnings.ShouldNotContain(w => w.Path == $"{Ms}.privileged");
    }

    private static SlaParseResult Parse(Action<JsonObject> change) =>
        SlaParser.Parse(SlaBuilder.Edit(root => change(SlaBuilder.Microservice(root))));
}
