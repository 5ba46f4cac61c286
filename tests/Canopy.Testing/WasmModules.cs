using System.Diagnostics;

namespace Canopy.Testing;

/// <summary>
/// The test modules, built from their source (examples/wasm/*.wat) with wat2wasm (Debian's wabt) once per test run into a
/// temporary directory: no binary is kept in the repository.
/// </summary>
public static class WasmModules
{
    private static readonly Lazy<string> Built = new(Build);

    /// <summary>The compiled <c>name.wasm</c> (hello, sleeper, trap, late-trap, grow, http, exit).</summary>
    public static string PathOf(string name) => Path.Combine(Built.Value, name + ".wasm");

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    private static string Build()
    {
        var wat2wasm = new[] { "/usr/bin/wat2wasm", "/usr/local/bin/wat2wasm" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("wat2wasm is missing: install the Debian package wabt (scripts/install-deps.sh test does).");
        var output = Directory.CreateTempSubdirectory("canopy-wasm-modules-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(output, recursive: true);
        foreach (var source in Directory.GetFiles(Path.Combine(Repo.Root, "examples", "wasm"), "*.wat"))
        {
            var psi = new ProcessStartInfo(wat2wasm) { RedirectStandardError = true };
            psi.ArgumentList.Add(source);
            psi.ArgumentList.Add("-o");
            psi.ArgumentList.Add(Path.Combine(output, Path.GetFileNameWithoutExtension(source) + ".wasm"));
            using var process = Process.Start(psi)!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wat2wasm {Path.GetFileName(source)} failed: {errors}");
            }
        }

        return output;
    }
}
