namespace Canopy.Core.Descriptors;

/// <summary>The runtimes an SLA can ask for: the ones Canopy runs, their aliases, and the ones only Oakestra runs.</summary>
public static class Virtualizations
{
    public const string Container = "container";
    public const string Exec = "exec";

    /// <summary>A WebAssembly (WASI preview 1) module run by Wasmtime, one host process per instance.</summary>
    public const string Wasm = "wasm";

    /// <summary>A kernel (and initrd) run by QEMU; Oakestra's <c>unikernel</c> is the same runtime.</summary>
    public const string Vm = "vm";

    /// <summary>Runtimes Canopy runs; a node reports the subset it has.</summary>
    public static readonly IReadOnlyList<string> Known = [Container, Exec, Wasm, Vm];

    /// <summary>
    /// Runtimes Oakestra's node engine runs and Canopy's does not (yet): crosvm, and containerd runtime names other than runc.
    /// An SLA may name them, as in Oakestra; their instances wait in a negative scheduling state until a cluster offers the runtime.
    /// </summary>
    public static readonly IReadOnlyList<string> Foreign =
        ["crosvm", "runsc", "runu", "crun", "youki", "kata", "kata-qemu", "kata-clh", "kata-fc"];

    /// <summary>Every name an SLA may use, the way error messages list them.</summary>
    public static readonly IReadOnlyList<string> Accepted =
        [Container, "docker", "containerd", "runc", Exec, "native", "process", Wasm, "wasi", Vm, "unikernel", "qemu", .. Foreign];

    /// <summary><c>docker</c> → <c>container</c>, <c>unikernel</c> → <c>vm</c>; case-insensitive; null when Canopy does not run the runtime.</summary>
    public static string? Normalize(string? virtualization) => virtualization?.Trim().ToLowerInvariant() switch
    {
        // runc is what Canopy's containerd runs containers with: naming it asks for exactly that.
        "container" or "docker" or "containerd" or "runc" => Container,
        "exec" or "native" or "process" => Exec,
        "wasm" or "wasi" => Wasm,

        // Oakestra's unikernel runtime runs Unikraft images under QEMU: Canopy's vm runtime runs the same kernels the same way.
        "vm" or "unikernel" or "qemu" => Vm,
        _ => null,
    };

    /// <summary>The runtime's one name: <c>container</c>, <c>exec</c>, <c>wasm</c> or <c>vm</c> for Canopy's, the lower-case name of a foreign one; null for a name nobody knows.</summary>
    public static string? Canonical(string? virtualization)
    {
        if (Normalize(virtualization) is { } runtime)
        {
            return runtime;
        }

        var name = virtualization?.Trim().ToLowerInvariant();
        return name is not null && Foreign.Contains(name) ? name : null;
    }

    /// <summary>Oakestra runs it, Canopy does not.</summary>
    public static bool IsForeign(string? virtualization) => Canonical(virtualization) is { } name && Foreign.Contains(name);

    /// <summary>
    /// A wasm module and a vm guest are isolated from the node whatever the SLA says: <c>privileged</c> gives them nothing, so
    /// placement does not look for a node that allows it (none reports these runtimes as privileged).
    /// </summary>
    public static bool IgnoresPrivileged(string? virtualization) => Normalize(virtualization) is Wasm or Vm;

    /// <summary>One of Canopy's own canonical names, as a node lists them (compared without normalising, see <c>CandidateFilter</c>).</summary>
    public static bool IsCanonicalKnown(string runtime) => runtime is Container or Exec or Wasm or Vm;
}
