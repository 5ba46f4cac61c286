using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;
using Canopy.Testing;

namespace Canopy.NodeEngine.Tests.Wasm;

/// <summary>What only the wasm runtime does: arguments and environment into WASI, the memory limit inside Wasmtime, traps, bad modules, fetches.</summary>
public sealed class WasmRuntimeTests : IAsyncLifetime
{
    /// <summary>Long enough for a wrong restart to show: twice the first back-off and then some.</summary>
    private static readonly TimeSpan QuietPeriod = RestartRules.InitialDelay * 4;

    private readonly WasmHarness _node = new(o => o.ArtifactAnswerTimeout = TimeSpan.FromSeconds(2));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task The_module_gets_the_SLA_cmd_as_arguments_and_the_SLA_environment_and_a_one_shot_run_COMPLETES()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);
        var spec = _node.Spec(key.ServiceId, "hello", "first", "second arg") with { OneShot = true, Environment = ["GREETING=hi there"] };

        await _node.DeployAsync(spec);

        var completed = await _node.WaitForStatusAsync(key, InstanceStatus.Completed);
        completed.ExitCode.ShouldBe(0);
        var log = await _node.LogAsync(key);
        log.ShouldContain("hello from wasm");
        log.ShouldContain("module.wasm\nfirst\nsecond arg\n");
        log.ShouldContain("GREETING=hi there");
        log.ShouldContain("CANOPY_INSTANCE=0");
        await Eventually.True(() => _node.EventsOf(key).Any(e => e.Report.Status == InstanceStatus.Completed), "the COMPLETED report");
        _node.EventsOf(key).Select(e => e.Report.Status).ShouldBe([InstanceStatus.Creating, InstanceStatus.Running, InstanceStatus.Completed]);
    }

    [Fact]
    public async Task A_serving_module_answers_each_request_with_its_CGI_variables_and_the_SLA_environment()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);
        var port = Ports.Free();

        var report = await _node.DeployAsync(_node.Serving(key.ServiceId, port));

        report.Status.ShouldBe(InstanceStatus.Running, report.StatusDetail);
        var page = await Http.GetEventuallyAsync(port, "/some/path?x=1");
        page.ShouldContain("hello from wasm");
        page.ShouldContain("request: GET /some/path");
        page.ShouldContain("greeting: from the SLA");
    }

    [Fact]
    public async Task A_module_that_traps_at_start_is_FAILED_with_the_trap_and_not_restarted()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);

        await _node.DeployAsync(_node.Spec(key.ServiceId, "trap"));

        var failed = await _node.WaitForStatusAsync(key, InstanceStatus.Failed);
        failed.StatusDetail.ShouldNotBeNull().ShouldContain("trapped at start in _start: wasm `unreachable` instruction executed");
        await ShouldStayFailedAsync(key);
        (await _node.LogAsync(key)).ShouldContain("about to trap");
    }

    [Fact]
    public async Task The_SLA_memory_bounds_the_module_linear_memory_inside_Wasmtime()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);

        await _node.DeployAsync(_node.Spec(key.ServiceId, "grow") with { OneShot = true, Memory = 32 });

        await _node.WaitForStatusAsync(key, InstanceStatus.Completed);

        // 32 MiB = 512 pages of 64 KiB: memory.grow fails at the limit, in the module, instead of the OOM killer.
        (await _node.LogAsync(key)).ShouldContain("memory.grow refused at pages: 512");
    }

    [Fact]
    public async Task A_module_URL_that_never_answers_is_FAILED_with_the_timeout_and_leaves_nothing()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);
        _node.Modules.Hung.Add("/hang.wasm");
        var spec = _node.Spec(key.ServiceId, "sleeper") with { Code = _node.Modules.Url("hang.wasm") };

        await _node.DeployAsync(spec);

        var failed = await _node.WaitForStatusAsync(key, InstanceStatus.Failed);
        failed.StatusDetail.ShouldBe($"module URL {_node.Modules.Url("hang.wasm")} did not answer within 2 s");
        await ShouldStayFailedAsync(key);
        _node.PidsOf(key).ShouldBeEmpty("no host was started");
    }

    [Fact]
    public async Task Something_that_is_not_a_module_is_FAILED_naming_it()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);
        var spec = _node.Spec(key.ServiceId, "not-wasm");

        await _node.DeployAsync(spec);

        var failed = await _node.WaitForStatusAsync(key, InstanceStatus.Failed);
        failed.StatusDetail.ShouldBe($"module {spec.Code} is not a WebAssembly module (it does not start with \\0asm)");
        await ShouldStayFailedAsync(key);
    }

    [Fact]
    public async Task Deployed_again_after_FAILED_with_other_code_it_runs_the_new_module()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);
        await _node.DeployAsync(_node.Spec(key.ServiceId, "trap"));
        await _node.WaitForStatusAsync(key, InstanceStatus.Failed);

        await _node.DeployAsync(_node.Spec(key.ServiceId, "hello", "second-deploy") with { OneShot = true });

        await _node.WaitForStatusAsync(key, InstanceStatus.Completed);
        (await _node.LogAsync(key)).ShouldContain("second-deploy");
    }

    [Fact]
    public async Task A_module_pushed_to_the_registry_as_an_OCI_artifact_runs()
    {
        await TestImageRegistry.UpAsync();
        await TestImageRegistry.PushArtifactAsync("canopy/hello-wasm:test", WasmModules.PathOf("hello"));
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);

        await _node.DeployAsync(_node.Spec(key.ServiceId, "hello", "from-registry") with { Code = $"{TestImageRegistry.Address}/canopy/hello-wasm:test", OneShot = true });

        await _node.WaitForStatusAsync(key, InstanceStatus.Completed);
        (await _node.LogAsync(key)).ShouldContain("from-registry");
    }

    [Fact]
    public async Task The_artifact_cache_records_that_the_instance_uses_its_module_so_pruning_keeps_it()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);

        await _node.DeployAsync(_node.Spec(key.ServiceId, "hello") with { OneShot = true });

        await _node.WaitForStatusAsync(key, InstanceStatus.Completed);
        var uses = Directory.GetFiles(Path.Combine(_node.Options.DataDir, "artifacts", "in-use")).Select(File.ReadAllText);
        uses.ShouldContain(use => use.Contains(_node.InstanceDir(key)) && use.StartsWith("sha256:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_its_host_the_runtime_is_unavailable_and_says_why()
    {
        await using var node = new WasmHarness(o => o.WasmHostPath = "/nonexistent/canopy-wasm");

        node.Runtime.IsAvailable.ShouldBeFalse();
        node.Runtime.UnavailableReason.ShouldNotBeNull().ShouldContain("the wasm host /nonexistent/canopy-wasm is not installed");
        _node.Runtime.IsAvailable.ShouldBeTrue("the host built next to the tests");
    }

    private async Task ShouldStayFailedAsync(InstanceKey key)
    {
        await Task.Delay(QuietPeriod);
        var later = _node.Runtime.Find(key).ShouldNotBeNull();
        later.Status.ShouldBe(InstanceStatus.Failed);
        later.RestartCount.ShouldBe(0);
        _node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1, "never started again");
        ProcessChecks.LeftOnNode(_node.CgroupOf(key), _node.PidsOf(key)).ShouldBeEmpty();
    }
}
