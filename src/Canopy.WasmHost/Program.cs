using Canopy.WasmHost;

// canopy-wasm: one WebAssembly instance (WASI preview 1) under Wasmtime, in its own process, started by the node engine.
var options = HostOptions.Parse(args, out var usage);
if (options is null)
{
    Console.Error.WriteLine(usage);
    return HostExit.Usage;
}

NativeWasmtime.Register();
try
{
    using var host = ModuleHost.Load(options);
    if (host is null)
    {
        return HostExit.InvalidModule;
    }

    return options.ServePort is { } port ? await CgiServer.RunAsync(host, port) : host.RunCommand();
}
catch (Exception e)
{
    // Not the module's fault: say so in one line, with the cause, for the instance log.
    Console.Error.WriteLine($"canopy-wasm: internal error: {e.GetType().Name}: {e.Message}");
    HostStatus.Write(options.StatusFile, $"failed: the wasm host failed: {e.Message.ReplaceLineEndings(" ")}");
    return HostExit.Internal;
}
