using Canopy.Contracts;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// Which image a vm instance boots: with Oakestra's <c>vm_images</c>, the entry for this node's architecture (entry i is
/// for <c>arch[i]</c>); otherwise <c>code</c>.
/// </summary>
internal static class VmImageChoice
{
    /// <summary>The kernel image reference; null with <paramref name="problem"/> saying what the SLA lacks.</summary>
    public static string? Choose(ServiceSpec spec, string nodeArchitecture, out string? problem)
    {
        problem = null;
        if (spec.VmImages.Count > 0)
        {
            if (spec.Arch.Count != spec.VmImages.Count)
            {
                problem = $"vm_images has {spec.VmImages.Count} entries and arch {spec.Arch.Count}: entry i of vm_images is the image for arch[i]";
                return null;
            }

            for (var i = 0; i < spec.Arch.Count; i++)
            {
                if (string.Equals(spec.Arch[i].Trim(), nodeArchitecture, StringComparison.OrdinalIgnoreCase)
                    && !string.IsNullOrWhiteSpace(spec.VmImages[i]))
                {
                    return spec.VmImages[i].Trim();
                }
            }

            problem = $"vm_images has no image for this node's architecture {nodeArchitecture} (arch: {string.Join(", ", spec.Arch)})";
            return null;
        }

        if (string.IsNullOrWhiteSpace(spec.Code))
        {
            problem = "vm services need code (a kernel image or a .tar.gz bundle of kernel, initrd and cmdline) or vm_images";
            return null;
        }

        return spec.Code.Trim();
    }
}
