using System.Globalization;

namespace Canopy.NodeEngine.Instances;

/// <summary>One instance on this node: <c>(service_id, instance_number)</c>; <c>&lt;service_id&gt;.&lt;n&gt;</c> names its directory and cgroup.</summary>
public readonly record struct InstanceKey(string ServiceId, int InstanceNumber)
{
    public override string ToString() => $"{ServiceId}.{InstanceNumber.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The service id becomes a directory and cgroup name: only letters, digits, '-' and '_' keep it from
    /// escaping them ("../x") or splitting ambiguously at the '.'.
    /// </summary>
    public static bool IsSafeServiceId(string? serviceId) =>
        !string.IsNullOrEmpty(serviceId) && serviceId.Length <= 64 &&
        serviceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static bool TryParse(string name, out InstanceKey key)
    {
        key = default;
        var dot = name.LastIndexOf('.');
        if (dot <= 0 || !IsSafeServiceId(name[..dot]) ||
            !int.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        key = new InstanceKey(name[..dot], number);
        return true;
    }
}
