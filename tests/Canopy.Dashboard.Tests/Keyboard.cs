using Microsoft.Playwright;

namespace Canopy.Dashboard.Tests;

/// <summary>A user without a mouse: Tab until a control has the focus, then type or press Enter.</summary>
internal static class Keyboard
{
    /// <summary>Presses Tab until <paramref name="target"/> has the focus (at most <paramref name="presses"/> times).</summary>
    public static async Task TabToAsync(IPage page, ILocator target, int presses = 60)
    {
        for (var i = 0; i < presses; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                await FocusVisibleAsync(page);
                return;
            }
        }

        Assert.Fail($"{target} did not get the focus after {presses} presses of Tab; the focus is on {await FocusedAsync(page)}.");
    }

    /// <summary>The focused element is drawn so that a keyboard user sees it: an outline or a ring (box shadow).</summary>
    private static async Task FocusVisibleAsync(IPage page)
    {
        var style = await page.EvaluateAsync<string>("""
            () => {
              const s = getComputedStyle(document.activeElement);
              const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
              return outline || s.boxShadow !== 'none' ? '' : `outline ${s.outlineStyle} ${s.outlineWidth}, box-shadow ${s.boxShadow}`;
            }
            """);
        style.ShouldBeEmpty($"{await FocusedAsync(page)} has the focus but shows no outline or ring");
    }

    private static Task<string> FocusedAsync(IPage page) => page.EvaluateAsync<string>(
        "() => { const e = document.activeElement; return e ? `<${e.tagName.toLowerCase()}> '${(e.getAttribute('aria-label') || e.textContent || e.name || '').trim().slice(0, 40)}'` : 'nothing'; }");
}
