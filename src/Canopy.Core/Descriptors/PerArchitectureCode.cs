namespace Canopy.Core.Descriptors;

/// <summary>
/// Oakestra's unikernel <c>code</c> as a list: <c>"https://…/k-amd64.tar.gz,https://…/k-arm64.tar.gz"</c>, entry i the
/// kernel for <c>arch[i]</c>. Its node engine splits <c>code</c> on commas and boots the entry whose <c>arch</c> is the
/// node's; Canopy reads such a <c>code</c> the same way, as another spelling of <c>vm_images</c>. A <c>code</c> without a
/// comma stays one kernel for every architecture in <c>arch</c>; a comma inside a URL is written <c>%2C</c>.
/// </summary>
public static class PerArchitectureCode
{
    /// <summary>Whether <paramref name="code"/> lists kernels per architecture (it has a comma).</summary>
    public static bool IsList(string? code) => code?.Contains(',', StringComparison.Ordinal) == true;

    /// <summary>The kernels in order, each trimmed; an empty entry stays (validation names it).</summary>
    public static IReadOnlyList<string> Entries(string code) => [.. code.Split(',').Select(entry => entry.Trim())];
}
