namespace Canopy.Cri.Tests.Integration;

/// <summary>
/// The files a private containerd with the CRI plugin needs (shared/reference/containerd-cri.md, "Exact config").
/// Everything lives under one directory, so the fixture can remove it all; the bridge and subnet are the tests' own,
/// so they cannot collide with a Canopy node's network on the same machine.
/// </summary>
internal static class ContainerdConfigFiles
{
    public const string NetworkName = "canopy-test";
    public const string BridgeName = "cnitest0";
    public const string Subnet = "10.18.250.0/26";
    public const string SubnetPrefix = "10.18.250.";
    public const string PauseImage = "docker.io/canopy/pause:local";

    public static void Write(string dir, string cniBinDir, string registry)
    {
        var socket = Path.Combine(dir, "ctd.sock");
        File.WriteAllText(Path.Combine(dir, "config.toml"), $$"""
            version = 2
            root = "{{dir}}/ctd/root"
            state = "{{dir}}/ctd/state"
            disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
            [grpc]
              address = "{{socket}}"
            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "{{PauseImage}}"
              stream_server_address = "127.0.0.1"
              stream_server_port = "0"
              enable_selinux = false
              netns_mounts_under_state_dir = true
              # Root here lacks CAP_SYS_RESOURCE, so the sandbox's oom_score_adj -998 would fail every RunPodSandbox.
              restrict_oom_score_adj = true
              [plugins."io.containerd.grpc.v1.cri".containerd]
                snapshotter = "overlayfs"
                default_runtime_name = "runc"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                  runtime_type = "io.containerd.runc.v2"
                  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                    SystemdCgroup = false
              [plugins."io.containerd.grpc.v1.cri".cni]
                bin_dir = "{{cniBinDir}}"
                conf_dir = "{{dir}}/cni"
                max_conf_num = 1
              [plugins."io.containerd.grpc.v1.cri".registry]
                config_path = "{{dir}}/certs.d"
            """);

        var hosts = Directory.CreateDirectory(Path.Combine(dir, "certs.d", registry)).FullName;
        File.WriteAllText(Path.Combine(hosts, "hosts.toml"), $$"""
            server = "http://{{registry}}"
            [host."http://{{registry}}"]
              capabilities = ["pull", "resolve"]
            """);

        var cni = Directory.CreateDirectory(Path.Combine(dir, "cni")).FullName;
        File.WriteAllText(Path.Combine(cni, "10-canopy-test.conflist"), $$$"""
            {"cniVersion": "0.4.0", "name": "{{{NetworkName}}}", "plugins": [
              {"type": "bridge", "bridge": "{{{BridgeName}}}", "isGateway": true, "ipMasq": true, "hairpinMode": true,
               "ipam": {"type": "host-local", "dataDir": "{{{dir}}}/cni-ipam", "ranges": [[{"subnet": "{{{Subnet}}}"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
              {"type": "portmap", "capabilities": {"portMappings": true}}]}
            """);
    }
}
