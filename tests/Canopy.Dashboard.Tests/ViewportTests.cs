using System.Text.Json;
using System.Text.RegularExpressions;
using Canopy.Core.States;
using Canopy.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>
/// Every page readable at 1280×800 and on a phone (390×844): no sideways scrolling of the page (wide tables scroll in their
/// own box), text not tiny, the heading and the navigation on screen. A screenshot of each page at each size.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ViewportTests(DashboardStack stack)
{
    /// <summary>Every element wider than the viewport must sit in a box that scrolls or clips it; none is smaller than 12 px text.</summary>
    private const string LayoutProblems = """
        () => {
          const width = document.documentElement.clientWidth;
          const problems = [];
          if (document.documentElement.scrollWidth > width + 1) problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`);
          for (const e of document.querySelectorAll('body *')) {
            const box = e.getBoundingClientRect();
            if (box.width === 0 || box.height === 0 || getComputedStyle(e).visibility === 'hidden') continue;
            const name = e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\s+/g, '.') : '');
            if (box.right > width + 1) {
              let boxed = false;
              for (let p = e.parentElement; p && p !== document.body && !boxed; p = p.parentElement) boxed = /auto|scroll|hidden|clip/.test(getComputedStyle(p).overflowX);
              if (!boxed) problems.push(`${name} reaches ${Math.round(box.right)} px`);
            }
            const text = [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
            if (text && parseFloat(getComputedStyle(e).fontSize) < 12) problems.push(`${name} has ${getComputedStyle(e).fontSize} text`);
          }
          return JSON.stringify(problems.slice(0, 12));
        }
        """;

    [Theory]
    [InlineData("desktop", 1280, 800, false)]
    [InlineData("phone", 390, 844, true)]
    public async Task EveryPage_Readable_WithoutSidewaysScrolling(string name, int width, int height, bool phone)
    {
        var serviceId = await SleeperApplication.CreateAsync(stack.Api, $"layout{name}", "e2e");
        (await stack.Api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
        var applicationId = (await stack.Api.ServiceAsync(serviceId)).ApplicationId;
        // The node adds the instance's addresses as it starts it, and Chromium drops a page load when interfaces change:
        // open the dashboard once the instance runs.
        await Wait.UntilAsync(async () => (await stack.Api.ServiceAsync(serviceId)).InstanceList.Any(i => i.Status == InstanceStatus.Running),
            TimeSpan.FromSeconds(60), $"the layout{name} instance to be RUNNING");
        await using var tab = await stack.OpenAsync(width, height, phone);
        var page = tab.Page;

        await Canopy.Testing.Browser.DashboardLogin.OpenAsync(page);
        await CheckAsync(page, $"{name}-login", width, "Log in");
        await DashboardLoginFormAsync(page);

        foreach (var (link, file) in new[] { ("Overview", "overview"), ("Applications", "applications"), ("Deploy", "deploy"), ("Join tokens", "tokens") })
        {
            var nav = page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true });
            await nav.ClickAsync();
            await Expect(nav).ToHaveAttributeAsync("aria-current", "page");
            await CheckAsync(page, $"{name}-{file}", width, link);
        }

        foreach (var (hash, file, heading) in new[]
                 {
                     ($"#/applications/{applicationId}", "application", "Application "),
                     ($"#/services/{serviceId}", "service", "Service "),
                     ($"#/services/{serviceId}/instances/0", "instance", "Instance 0 of "),
                 })
        {
            await page.GotoAsync("/" + hash);
            await CheckAsync(page, $"{name}-{file}", width, heading);
        }

        (await stack.Api.DeleteAsync($"api/application/{applicationId}")).EnsureSuccessStatusCode();
    }

    private static Task DashboardLoginFormAsync(IPage page) =>
        Canopy.Testing.Browser.DashboardLogin.FillAsync(page, DashboardStack.Admin, CanopyProcess.AdminPassword);

    /// <summary>Checks the page once its own heading shows: the navigation marks the link at once, while the page it names
    /// is still being read from the API and the previous page's heading is about to be replaced.</summary>
    private static async Task CheckAsync(IPage page, string shot, int width, string headingStart)
    {
        var heading = page.Locator("h1");
        await Expect(heading).ToHaveTextAsync(new Regex("^" + Regex.Escape(headingStart)));
        await Expect(heading).ToHaveCountAsync(1);
        await Expect(heading).ToBeInViewportAsync();
        var box = (await heading.BoundingBoxAsync()).ShouldNotBeNull();
        (box.X + box.Width).ShouldBeLessThanOrEqualTo(width + 1, $"{shot}: the heading does not fit the width");
        await Screenshots.SaveAsync(page, shot);
        var problems = JsonSerializer.Deserialize<List<string>>(await page.EvaluateAsync<string>(LayoutProblems))!;
        problems.ShouldBeEmpty($"{shot} at {width} px wide");
    }
}
