using System.Reflection;
using System.Runtime.InteropServices;

namespace Canopy.WasmHost;

/// <summary>
/// Finds libwasmtime where a build puts it: next to the executable (native publish), or under runtimes/linux-&lt;arch&gt;/native/
/// (a framework-dependent build). The second is normally found through canopy-wasm.deps.json, which a publish of a project
/// that references this one (the canopy CLI) does not copy; without this, the host would fail there with DllNotFoundException.
/// </summary>
internal static class NativeWasmtime
{
    public static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(Wasmtime.Engine).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "wasmtime")
        {
            return IntPtr.Zero;
        }

        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        foreach (var candidate in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "libwasmtime.so"),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{arch}", "native", "libwasmtime.so"),
                 })
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }
}
