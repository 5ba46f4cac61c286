using Canopy.Contracts;
using Canopy.Core.Descriptors;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// Which image a vm instance boots: with Oakestra's <c>vm_images</c>, or a <c>code</c> listing kernels with commas as
/// Oakestra's node engine reads it (<see cref="PerArchitectureCode"/>), the entry for this node's architecture (entry i is
/// for <c>arch[i]</c>); otherwise <c>code</c>.
/// </summary>
internal static class VmImageChoice
{
    /// <summary>The kernel image reference; null with <paramref name="problem"/> saying what the SLA lacks.</summary>
    public static string? Choose(ServiceSpec spec, string nodeArchitecture, out string? problem)
    {
        problem = null;
        var (field, images) = spec.VmImages.Count > 0 ? ("vm_images", spec.VmImages)
            : PerArchitectureCode.IsList(spec.Code) ? ("code", PerArchitectureCode.Entries(spec.Code))
            : (null, []);
        if (field is not null)
        {
            if (spec.Arch.Count != images.Count)
            {
                problem = $"{field} has {images.Count} entries and arch {spec.Arch.Count}: entry i of {field} is the image for arch[i]";
                return null;
            }

            // Canonical names on both sides: an SLA's x86_64 is the node's amd64.
            var node = Architectures.Canonical(nodeArchitecture);
            for (var i = 0; i < spec.Arch.Count; i++)
            {
                if (Architectures.Canonical(spec.Arch[i]) == node
                    && !string.IsNullOrWhiteSpace(images[i]))
                {
                    return images[i].Trim();
                }
            }

            problem = $"{field} has no image for this node's architecture {nodeArchitecture} (arch: {string.Join(", ", spec.Arch)})";
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
