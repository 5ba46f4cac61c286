using System.Text.Json;
using Canopy.Core.Addressing;

namespace Canopy.Core.Descriptors;

/// <summary>The rules for one microservice of an SLA (Oakestra's schema, plus what Canopy's runtimes need).</summary>
internal static class SlaMicroserviceRules
{
    public static readonly IReadOnlyList<string> RestartPolicies = ["always", "on-failure", "never"];

    public const int MaxInstances = 100;

    /// <summary>Records every problem of <paramref name="microservice"/>; returns its name when that is valid (for the duplicate check).</summary>
    public static string? Validate(JsonElement microservice, string path, SlaReader reader)
    {
        var name = SlaParser.ValidName(microservice, path, "microservice_name", "\"web\"", reader);
        SlaParser.ValidName(microservice, path, "microservice_namespace", "\"default\"", reader);

        // Oakestra's schema: a string of maxLength 0. Whatever else is there, the fix is the same, so one message covers type and value.
        if (microservice.TryGetProperty("microserviceID", out var id) && !(id.ValueKind == JsonValueKind.String && id.GetString()!.Length == 0))
        {
            reader.Error(SlaReader.Child(path, "microserviceID"),
                $"must be an empty string when a service is created, got {SlaReader.Describe(id)}; remove it or set it to \"\" (Canopy assigns the id)");
        }

        ValidateRuntime(microservice, path, reader);
        ValidateResources(microservice, path, reader);
        ValidateProcess(microservice, path, reader);
        ValidateNetwork(microservice, path, reader);
        ValidateOakestraExtras(microservice, path, reader);
        SlaNotHonoured.Warn(microservice, path, reader);
        SlaConstraintRules.ValidateConstraints(microservice, path, reader);
        SlaConstraintRules.ValidateConnectivity(microservice, path, reader);
        SlaSecretRules.Validate(microservice, path, reader);
        reader.CheckFields(microservice, path, SlaFields.Microservice);
        return name;
    }

    private static void ValidateRuntime(JsonElement microservice, string path, SlaReader reader)
    {
        var virtualization = reader.String(microservice, path, "virtualization", "\"container\"");
        var normalized = Virtualizations.Normalize(virtualization);
        if (virtualization is not null && Virtualizations.Canonical(virtualization) is null)
        {
            var suggestion = FieldSuggestions.Closest(virtualization.Trim(), Virtualizations.Accepted);
            reader.Error(SlaReader.Child(path, "virtualization"),
                $"virtualization '{virtualization}' is not known{(suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)")}; " +
                $"use one of {string.Join(", ", Virtualizations.Accepted)}");
        }
        else if (Virtualizations.IsForeign(virtualization))
        {
            // Accepted as Oakestra accepts it; the placement then ends in a negative state that names the runtime.
            reader.Warn(SlaReader.Child(path, "virtualization"),
                $"'{virtualization}' is accepted but Canopy does not run it yet (it runs container, exec, wasm and vm): " +
                "its instances wait as NoActiveClusterWithCapacity until a cluster offers that runtime");
        }

        var hasCode = microservice.TryGetProperty("code", out _);
        var code = reader.String(microservice, path, "code");
        if (normalized == Virtualizations.Container && !hasCode)
        {
            reader.Error(SlaReader.Child(path, "code"), "is required for a container: add the image, e.g. \"code\": \"docker.io/library/nginx:latest\"");
        }
        else if (normalized == Virtualizations.Container && code is not null && string.IsNullOrWhiteSpace(code))
        {
            reader.Error(SlaReader.Child(path, "code"), "must name the image for a container, e.g. \"docker.io/library/nginx:latest\"");
        }

        if (normalized == Virtualizations.Exec && string.IsNullOrWhiteSpace(code) && IsEmptyArray(microservice, "cmd"))
        {
            // An exec service runs its cmd (or, without one, the program named by code): with neither there is nothing to start.
            reader.Error(SlaReader.Child(path, "cmd"),
                "an exec service needs a command to run; add e.g. \"cmd\": [\"sh\", \"-c\", \"exec my-server\"]");
        }

        if (normalized == Virtualizations.Wasm && string.IsNullOrWhiteSpace(code))
        {
            reader.Error(SlaReader.Child(path, "code"),
                "a wasm service needs its module: set code to a URL or an OCI artifact, e.g. \"code\": \"https://example.com/hello.wasm\"");
        }

        if (normalized == Virtualizations.Vm && string.IsNullOrWhiteSpace(code) && IsEmptyArray(microservice, "vm_images"))
        {
            reader.Error(SlaReader.Child(path, "code"),
                $"a {virtualization!.Trim()} service needs its kernel: set code to the kernel image's URL, e.g. \"code\": \"https://example.com/vmlinuz\", " +
                "or give one image per architecture in vm_images (with arch)");
        }

        if (Virtualizations.IgnoresPrivileged(normalized) && microservice.TryGetProperty("privileged", out var privileged) &&
            privileged.ValueKind == JsonValueKind.True)
        {
            // The wasm runtime fails such an instance (WasmRuntime): refused here, before anything is stored; a vm guest just ignores it.
            if (normalized == Virtualizations.Wasm)
            {
                reader.Error(SlaReader.Child(path, "privileged"),
                    "a wasm service cannot be privileged: a module has no access to the host to be privileged with; remove \"privileged\": true");
            }
            else
            {
                reader.Warn(SlaReader.Child(path, "privileged"), "is ignored for vm: the guest runs isolated from the node either way");
            }
        }

        ValidateArchitectures(microservice, path, normalized, reader);
    }

    /// <summary>
    /// <c>arch</c>: known architectures, each once (placement keeps to nodes of one of them). <c>vm_images</c> (Oakestra: entry i
    /// is the image for <c>arch[i]</c>), or a vm <c>code</c> listing kernels with commas (Oakestra's own spelling): only read by
    /// the vm runtime, and only with an <c>arch</c> of the same length.
    /// </summary>
    private static void ValidateArchitectures(JsonElement microservice, string path, string? runtime, SlaReader reader)
    {
        var archPath = SlaReader.Child(path, "arch");
        var arch = reader.StringArray(microservice, path, "arch");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (arch?.Count ?? 0); i++)
        {
            if (Architectures.Normalize(arch![i]) is not { } canonical)
            {
                reader.Error(SlaReader.Index(archPath, i),
                    $"\"{arch[i]}\" is not an architecture Canopy knows; use one of {string.Join(", ", Architectures.Known)} " +
                    "(x86_64 and aarch64 are read as amd64 and arm64)");
            }
            else if (!seen.Add(canonical))
            {
                reader.Error(SlaReader.Index(archPath, i), $"\"{arch[i]}\" names {canonical} a second time; list each architecture once");
            }
        }

        var imagesPath = SlaReader.Child(path, "vm_images");
        var images = reader.StringArray(microservice, path, "vm_images");
        if (runtime == Virtualizations.Vm)
        {
            ValidatePerArchitectureCode(microservice, path, arch, hasVmImages: images is { Count: > 0 }, reader);
        }

        if (images is not { Count: > 0 })
        {
            return;
        }

        if (runtime != Virtualizations.Vm)
        {
            // Oakestra ignores it for other runtimes too: kept, with a warning, so a descriptor written for it still deploys.
            reader.Warn(imagesPath, $"is only read by the vm runtime (virtualization \"vm\" or \"unikernel\"); it is ignored for {runtime ?? "this runtime"}");
            return;
        }

        if (arch is not { Count: > 0 })
        {
            reader.Error(imagesPath,
                "needs arch: entry i of vm_images is the image for arch[i]; add e.g. \"arch\": [\"amd64\"] with one entry per image");
        }
        else if (arch.Count != images.Count)
        {
            reader.Error(imagesPath,
                $"has {images.Count} image{(images.Count == 1 ? "" : "s")} but arch has {arch.Count} entr{(arch.Count == 1 ? "y" : "ies")}: " +
                "entry i of vm_images is the image for arch[i], so give one image per architecture");
        }

        for (var i = 0; i < images.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(images[i]))
            {
                reader.Error(SlaReader.Index(imagesPath, i), "is empty; give the kernel image's URL");
            }
        }
    }

    /// <summary>
    /// A vm <c>code</c> with commas is Oakestra's list of kernels, entry i for <c>arch[i]</c> (<see cref="PerArchitectureCode"/>):
    /// it needs an <c>arch</c> of the same length, no empty entry, and no <c>vm_images</c> saying the same thing another way.
    /// </summary>
    private static void ValidatePerArchitectureCode(JsonElement microservice, string path, IReadOnlyList<string>? arch, bool hasVmImages, SlaReader reader)
    {
        // Read directly: ValidateRuntime has already reported a code that is not a string.
        if (!microservice.TryGetProperty("code", out var element) || element.ValueKind != JsonValueKind.String ||
            element.GetString() is not { } code || !PerArchitectureCode.IsList(code))
        {
            return;
        }

        var codePath = SlaReader.Child(path, "code");
        const string Escape = "(a comma inside one URL is written %2C)";
        if (hasVmImages)
        {
            reader.Error(codePath,
                "lists one kernel per architecture (comma separated) and vm_images does too: give them in one of the two, " +
                $"entry i for arch[i] {Escape}");
            return;
        }

        var kernels = PerArchitectureCode.Entries(code);
        var listed = $"lists {kernels.Count} kernel{(kernels.Count == 1 ? "" : "s")} separated by commas";
        if (arch is not { Count: > 0 })
        {
            reader.Error(codePath,
                $"{listed}, one per architecture as Oakestra reads it, but there is no arch: add arch with one entry per kernel, " +
                $"in the same order, e.g. \"arch\": [\"amd64\", \"arm64\"] {Escape}");
        }
        else if (arch.Count != kernels.Count)
        {
            reader.Error(codePath,
                $"{listed} but arch has {arch.Count} entr{(arch.Count == 1 ? "y" : "ies")}: entry i of code is the kernel for arch[i], " +
                $"so give one kernel per architecture {Escape}");
        }

        for (var i = 0; i < kernels.Count; i++)
        {
            if (kernels[i].Length == 0)
            {
                reader.Error(codePath, $"kernel {i + 1} of its comma-separated list is empty; give the kernel's URL for arch[{i}]");
            }
        }
    }

    private static void ValidateResources(JsonElement microservice, string path, SlaReader reader)
    {
        var memory = reader.Integer(microservice, path, "memory", 0, int.MaxValue);
        var vcpus = reader.Number(microservice, path, "vcpus", 0);
        reader.Integer(microservice, path, "vgpus", 0, int.MaxValue);
        reader.Integer(microservice, path, "vtpus", 0, int.MaxValue);
        reader.Integer(microservice, path, "storage", 0, int.MaxValue);
        reader.Integer(microservice, path, "bandwidth_in", 0, long.MaxValue);
        reader.Integer(microservice, path, "bandwidth_out", 0, long.MaxValue);
        reader.Integer(microservice, path, "instances", 1, MaxInstances);

        // Zero is legal (Oakestra's examples use it) but surprising: nothing is reserved and nothing is limited.
        if (memory is 0 || (memory is null && !microservice.TryGetProperty("memory", out _)))
        {
            reader.Warn(SlaReader.Child(path, "memory"),
                "is 0 or missing: the service gets no memory limit and the scheduler reserves no memory for it; set it in MB, e.g. \"memory\": 128");
        }

        if (vcpus is 0 || (vcpus is null && !microservice.TryGetProperty("vcpus", out _)))
        {
            reader.Warn(SlaReader.Child(path, "vcpus"),
                "is 0 or missing: the service gets no CPU limit and the scheduler reserves no CPU for it; set cores, e.g. \"vcpus\": 1");
        }
    }

    private static void ValidateProcess(JsonElement microservice, string path, SlaReader reader)
    {
        reader.StringArray(microservice, path, "cmd");
        reader.StringArray(microservice, path, "args");
        if (reader.StringArray(microservice, path, "environment") is { } environment)
        {
            for (var i = 0; i < environment.Count; i++)
            {
                if (EnvironmentProblem(environment[i]) is { } problem)
                {
                    reader.Error(SlaReader.Index(SlaReader.Child(path, "environment"), i), problem);
                }
            }
        }

        var oneShot = reader.Boolean(microservice, path, "one_shot");
        reader.Boolean(microservice, path, "privileged");
        var policy = reader.String(microservice, path, "restart_policy");
        if (policy is not null && !RestartPolicies.Contains(policy))
        {
            reader.Error(SlaReader.Child(path, "restart_policy"),
                $"\"{policy}\" is not a restart policy; use one of always, on-failure, never");
        }
        else if (oneShot is true && policy is "always" or "on-failure")
        {
            reader.Warn(SlaReader.Child(path, "restart_policy"),
                $"is ignored because one_shot is true: a one-shot service is never restarted (restart_policy \"{policy}\")");
        }
    }

    private static void ValidateNetwork(JsonElement microservice, string path, SlaReader reader)
    {
        var port = reader.String(microservice, path, "port");
        if (port is not null && !PortMappings.TryParse(port, out _, out var error))
        {
            reader.Error(SlaReader.Child(path, "port"), $"{error}; write e.g. \"8080:80\", \"6080:60/tcp\" or \"53:53/udp;80\"");
        }

        if (!reader.Object(microservice, path, "addresses", out var addresses))
        {
            return;
        }

        var addressesPath = SlaReader.Child(path, "addresses");

        // Whether rr_ip lies in 10.30.0.0/16 and is free is the root's call (a warning there); here only the form counts.
        foreach (var field in (string[])["rr_ip", "closest_ip"])
        {
            if (reader.String(addresses, addressesPath, field) is { } ip && !Ipv4.IsValid(ip))
            {
                reader.Error(SlaReader.Child(addressesPath, field), $"\"{ip}\" is not an IPv4 address; write four numbers 0-255, e.g. \"10.30.0.10\"");
            }
        }

        foreach (var field in (string[])["rr_ip_v6", "closest_ip_v6"])
        {
            if (reader.String(addresses, addressesPath, field) is { } ip &&
                !(System.Net.IPAddress.TryParse(ip, out var parsed) && parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
            {
                reader.Error(SlaReader.Child(addressesPath, field), $"\"{ip}\" is not an IPv6 address, e.g. \"fdff:2000::10\"");
            }
        }
    }

    /// <summary>Oakestra fields Canopy does not use: still type-checked, so a descriptor that Oakestra refuses is not silently accepted.</summary>
    private static void ValidateOakestraExtras(JsonElement microservice, string path, SlaReader reader)
    {
        foreach (var field in (string[])["state", "sla_violation_strategy", "target_node", "platform"])
        {
            reader.String(microservice, path, field);
        }

        foreach (var field in (string[])["added_files"])
        {
            reader.StringArray(microservice, path, field);
        }

        if (!reader.Array(microservice, path, "volumes", null, out var volumes))
        {
            return;
        }

        var index = 0;
        foreach (var volume in volumes.EnumerateArray())
        {
            var volumePath = SlaReader.Index(SlaReader.Child(path, "volumes"), index++);
            if (reader.IsObject(volume, volumePath, "a volume"))
            {
                reader.String(volume, volumePath, "volume_id", "\"data\"");
                reader.String(volume, volumePath, "csi_driver", "\"csi.example.com\"");
                reader.String(volume, volumePath, "mount_path");
            }
        }
    }

    /// <summary>Why an <c>environment</c> entry is not <c>KEY=VALUE</c> with a shell-usable key; null when it is.</summary>
    internal static string? EnvironmentProblem(string entry)
    {
        var equals = entry.IndexOf('=');
        if (equals < 0)
        {
            return $"\"{entry}\" is not KEY=VALUE; write e.g. \"{(IsEnvironmentKey(entry) ? entry : "KEY")}=value\"";
        }

        var key = entry[..equals];
        return IsEnvironmentKey(key)
            ? null
            : $"\"{key}\" is not a valid variable name; start with a letter or _ and use only letters, digits and _";
    }

    internal static bool IsEnvironmentKey(string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsEmptyArray(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var value) || (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0);
}
