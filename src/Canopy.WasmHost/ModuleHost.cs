using System.Collections;
using System.Diagnostics;
using Wasmtime;

namespace Canopy.WasmHost;

/// <summary>
/// The compiled module and what every instance of it gets: WASI preview 1 with the SLA's arguments and environment, stdio
/// inherited (the node engine's wrapper appends them to the instance log), linear memory capped at <c>--memory-limit</c>
/// (a <c>memory.grow</c> past it fails inside the module; the cgroup still bounds the whole process).
/// </summary>
internal sealed class ModuleHost : IDisposable
{
    private static readonly byte[] Magic = [0x00, 0x61, 0x73, 0x6d];

    private readonly Engine _engine;
    private readonly Module _module;
    private readonly Linker _linker;

    private ModuleHost(HostOptions options, Engine engine, Module module)
    {
        Options = options;
        _engine = engine;
        _module = module;
        _linker = new Linker(engine);
        _linker.DefineWasi();
    }

    public HostOptions Options { get; }

    /// <summary>argv as the module sees it: its file name, then the SLA's <c>cmd</c>.</summary>
    public IReadOnlyList<string> Arguments => [Path.GetFileName(Options.Module), .. Options.Arguments];

    /// <summary>Reads, validates and compiles the module; null (status written, reason on stderr) when it is not a valid one.</summary>
    public static ModuleHost? Load(HostOptions options)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(options.Module);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refuse(options, $"the module {options.Module} cannot be read: {e.Message}");
        }

        if (bytes.Length < 8 || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
        {
            return Refuse(options, "the module is not a WebAssembly module (no \\0asm header)");
        }

        var engine = new Engine(new Config().WithParallelCompilation(false));
        if (Module.Validate(engine, bytes) is { } invalid)
        {
            engine.Dispose();
            return Refuse(options, $"the module fails validation: {OneLine(invalid)}");
        }

        try
        {
            return new ModuleHost(options, engine, Module.FromBytes(engine, Path.GetFileName(options.Module), bytes));
        }
        catch (WasmtimeException e)
        {
            engine.Dispose();
            return Refuse(options, $"the module does not compile: {OneLine(e.Message)}");
        }
    }

    /// <summary>A store with the memory limit and a WASI context for one instance.</summary>
    public Store NewStore(WasiConfiguration wasi)
    {
        var store = new Store(_engine);
        store.SetLimits(memorySize: Options.MemoryLimit);
        store.SetWasiConfiguration(wasi);
        return store;
    }

    public Instance Instantiate(Store store) => _linker.Instantiate(store, _module);

    /// <summary>This process's environment, which the runtime made the SLA's environment plus Canopy's variables.</summary>
    public static IEnumerable<(string, string)> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => ((string)e.Key, (string?)e.Value ?? ""));

    /// <summary>A WASI command: instantiate, say ready, run <c>_start</c>; the exit code is the module's.</summary>
    public int RunCommand()
    {
        var wasi = new WasiConfiguration()
            .WithArgs(Arguments)
            .WithEnvironmentVariables(ProcessEnvironment())
            .WithInheritedStandardInput()
            .WithInheritedStandardOutput()
            .WithInheritedStandardError();
        using var store = NewStore(wasi);
        Instance instance;
        try
        {
            instance = Instantiate(store);
        }
        catch (WasmtimeException e)
        {
            return Fail(e is TrapException ? "the module trapped while instantiating" : "the module cannot be instantiated", e, HostExit.TrapAtStart);
        }

        var start = instance.GetAction("_start");
        if (start is null)
        {
            return Fail("the module exports no _start function: it is not a WASI command", null, HostExit.InvalidModule);
        }

        HostStatus.Write(Options.StatusFile, HostStatus.Ready);
        var started = Stopwatch.StartNew();
        try
        {
            start();
            return 0;
        }
        catch (WasmtimeException e) when (e.ExitCode is { } code)
        {
            return code;
        }
        catch (WasmtimeException e) when (started.Elapsed < Options.StartWindow)
        {
            return Fail("the module trapped at start in _start", e, HostExit.TrapAtStart);
        }
        catch (WasmtimeException e)
        {
            var reason = $"the module trapped after {started.Elapsed.TotalSeconds:0} s: {OneLine(e.Message)}";
            Console.Error.WriteLine($"canopy-wasm: {reason}");
            HostStatus.Write(Options.StatusFile, "trapped: " + reason);
            return HostExit.Trap;
        }
    }

    private int Fail(string what, Exception? e, int code)
    {
        var reason = e is null ? what : $"{what}: {OneLine(e.Message)}";
        Console.Error.WriteLine($"canopy-wasm: {reason}");
        HostStatus.Write(Options.StatusFile, "failed: " + reason);
        return code;
    }

    private static ModuleHost? Refuse(HostOptions options, string reason)
    {
        Console.Error.WriteLine($"canopy-wasm: {reason}");
        HostStatus.Write(options.StatusFile, "failed: " + reason);
        return null;
    }

    /// <summary>
    /// Wasmtime's messages carry a backtrace over several lines ("error while executing at wasm backtrace: … Caused by: wasm
    /// trap: …"); the cause says what happened, in one line.
    /// </summary>
    public static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var cause = lines.SkipWhile(l => !l.StartsWith("Caused by:", StringComparison.Ordinal)).Skip(1).FirstOrDefault();
        var text = cause ?? lines.FirstOrDefault() ?? message;
        text = text.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ' ');
        return text.StartsWith("wasm trap: ", StringComparison.Ordinal) ? text["wasm trap: ".Length..] : text;
    }

    public void Dispose()
    {
        _linker.Dispose();
        _module.Dispose();
        _engine.Dispose();
    }
}
