using System.Text;

namespace Canopy.NodeEngine.Containerd;

/// <summary>
/// The config of Canopy's own containerd (see <c>shared/reference/containerd-cri.md</c>, "Exact config"): private
/// root, state and socket, the CRI plugin with Canopy's pause image and CNI config, and plain-HTTP pulls from the
/// local registry. Never both <c>mirrors</c> and <c>config_path</c>: that makes the CRI plugin fail to load silently.
/// </summary>
internal static class ContainerdConfig
{
    /// <summary>The local registry Canopy's images come from; pulled over plain HTTP.</summary>
    public const string LocalRegistry = "127.0.0.1:5000";

    public const string PauseImage = "docker.io/canopy/pause:local";

    public const string CniBinDir = "/usr/lib/cni";

    public static string Render(ContainerdPaths paths)
    {
        var text = new StringBuilder();
        text.Append("# Written by the Canopy node engine at each start; edits are overwritten.\n");
        text.Append("version = 2\n");
        text.Append($"root = {Quote(paths.Root)}\n");
        text.Append($"state = {Quote(paths.State)}\n");
        text.Append("disabled_plugins = [\"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.zfs\", ");
        text.Append("\"io.containerd.snapshotter.v1.aufs\", \"io.containerd.snapshotter.v1.devmapper\"]\n");
        text.Append("[grpc]\n");
        text.Append($"  address = {Quote(paths.Socket)}\n");
        text.Append("[plugins.\"io.containerd.grpc.v1.cri\"]\n");
        text.Append($"  sandbox_image = {Quote(PauseImage)}\n");
        text.Append("  stream_server_address = \"127.0.0.1\"\n");
        text.Append("  stream_server_port = \"0\"\n");
        text.Append("  enable_selinux = false\n");
        text.Append("  netns_mounts_under_state_dir = true\n");

        // Root here may lack CAP_SYS_RESOURCE: without this every sandbox fails to start (oom_score_adj -998 refused).
        text.Append("  restrict_oom_score_adj = true\n");
        text.Append("  [plugins.\"io.containerd.grpc.v1.cri\".containerd]\n");
        text.Append("    snapshotter = \"overlayfs\"\n");
        text.Append("    default_runtime_name = \"runc\"\n");
        text.Append("    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n");
        text.Append("      runtime_type = \"io.containerd.runc.v2\"\n");
        text.Append("      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n");
        text.Append("        SystemdCgroup = false\n");
        text.Append("  [plugins.\"io.containerd.grpc.v1.cri\".cni]\n");
        text.Append($"    bin_dir = {Quote(CniBinDir)}\n");
        text.Append($"    conf_dir = {Quote(paths.CniConfDir)}\n");
        text.Append("    max_conf_num = 1\n");
        text.Append("  [plugins.\"io.containerd.grpc.v1.cri\".registry]\n");
        text.Append($"    config_path = {Quote(paths.CertsDir)}\n");
        return text.ToString();
    }

    /// <summary><c>certs.d/&lt;registry&gt;/hosts.toml</c>: the local registry (or another on loopback) speaks plain HTTP.</summary>
    public static string RenderLocalRegistryHosts(string registry = LocalRegistry) =>
        $"server = \"http://{registry}\"\n" +
        $"[host.\"http://{registry}\"]\n" +
        "  capabilities = [\"pull\", \"resolve\"]\n";

    /// <summary>A registry on this machine's loopback (<c>127.0.0.1:5001</c>, <c>localhost:5000</c>): pulled over plain HTTP, nothing leaves the machine.</summary>
    public static bool IsLoopbackRegistry(string host)
    {
        var colon = host.LastIndexOf(':');
        var name = colon > 0 && !host.EndsWith(']') ? host[..colon] : host;
        return name == "localhost" || (System.Net.IPAddress.TryParse(name.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
    }

    /// <summary>A TOML basic string: the data dir is the operator's choice and may hold quotes or backslashes.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        text.Append($"\\u{(int)c:X4}");
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }
}
