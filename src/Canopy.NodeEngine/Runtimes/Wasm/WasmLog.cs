using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Wasm;

/// <summary>What only the wasm runtime logs; the messages every runtime writes are <see cref="RuntimeLog"/> (ids 4700-4711).</summary>
internal static partial class WasmLog
{
    [LoggerMessage(EventId = 4712, Level = LogLevel.Warning, Message = "Wasm hosts run as root on this node: {Dir} does not let other users pass to the wasm host or the data dir. Modules still run inside Wasmtime's sandbox; to run their hosts as unprivileged users, install Canopy and choose a data dir under directories others may pass (e.g. /opt/canopy, /var/lib/canopy), or give {Dir} o+x")]
    public static partial void HostRunsAsRoot(ILogger logger, string dir);
}
