using Microsoft.Playwright;

namespace Canopy.Dashboard.Tests;

/// <summary>The dashboard's instance rows (hook: <c>tr[data-service-id][data-instance]</c> with <c>td[data-field=status]</c>).</summary>
internal static class Rows
{
    public static ILocator Status(IPage page, string serviceId, int instance) =>
        page.Locator($"tr[data-service-id='{serviceId}'][data-instance='{instance}'] td[data-field='status']");
}
