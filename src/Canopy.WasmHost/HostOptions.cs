namespace Canopy.WasmHost;

/// <summary>
/// <c>canopy-wasm [--memory-limit BYTES] [--status-file PATH] [--serve PORT] [--start-window SECONDS] MODULE [ARG...]</c>:
/// the module's WASI arguments are its file name and ARGs; its WASI environment is this process's environment.
/// </summary>
internal sealed record HostOptions(string Module, IReadOnlyList<string> Arguments, long? MemoryLimit, string? StatusFile, int? ServePort, TimeSpan StartWindow)
{
    public const string Usage =
        "usage: canopy-wasm [--memory-limit BYTES] [--status-file PATH] [--serve PORT] [--start-window SECONDS] MODULE [ARG...]";

    public static HostOptions? Parse(string[] args, out string? error)
    {
        error = null;
        long? memory = null;
        string? status = null;
        int? port = null;
        var window = TimeSpan.FromSeconds(10);
        var i = 0;
        for (; i < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            if (args[i] == "--")
            {
                i++;
                break;
            }

            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--memory-limit" when long.TryParse(value, out var bytes) && bytes > 0:
                    memory = bytes;
                    break;
                case "--status-file" when !string.IsNullOrEmpty(value):
                    status = value;
                    break;
                case "--serve" when int.TryParse(value, out var p) && p is > 0 and < 65536:
                    port = p;
                    break;
                case "--start-window" when double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var s) && s >= 0:
                    window = TimeSpan.FromSeconds(s);
                    break;
                default:
                    error = $"canopy-wasm: bad option {args[i]} {value}\n{Usage}";
                    return null;
            }

            i++;
        }

        if (i >= args.Length)
        {
            error = Usage;
            return null;
        }

        return new HostOptions(args[i], args[(i + 1)..], memory, status, port, window);
    }
}
