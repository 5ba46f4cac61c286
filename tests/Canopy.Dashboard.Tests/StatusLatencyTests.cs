using System.Globalization;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>
/// The figure "time from an instance state change to the dashboard showing it", measured in the browser: 10 kills of
/// instances' processes while their service's page is open; for each, the time the stored DEAD event carries, and the
/// time the page painted its entry (browser clock, same machine). Printed and written next to the screenshots, never
/// asserted (a speed goal is not a unit test).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class StatusLatencyTests(DashboardStack stack, ITestOutputHelper output)
{
    private const int Samples = 10;

    // Five instances killed twice each: restarts back off from 250 ms, doubling, so no instance waits long to run again.
    private const int Instances = 5;

    /// <summary>Notes when each event entry is first painted: the next animation frame after it entered the DOM.</summary>
    private const string Recorder = """
        () => {
          window.__canopyShownAt = {};
          const note = () => requestAnimationFrame(() => {
            const now = Date.now();
            for (const li of document.querySelectorAll('li[data-event-id]'))
              if (!(li.dataset.eventId in window.__canopyShownAt)) window.__canopyShownAt[li.dataset.eventId] = now;
          });
          note();
          new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
        }
        """;

    [Fact]
    public async Task InstanceStateChange_ToShownInBrowser_MedianOfTen()
    {
        var serviceId = await SleeperApplication.CreateAsync(stack.Api, "latency", "e2e");
        for (var i = 0; i < Instances; i++)
        {
            (await stack.Api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
        }

        await using var tab = await stack.LoggedInAsync();
        var page = tab.Page;
        await page.GotoAsync($"/#/services/{serviceId}");
        for (var i = 0; i < Instances; i++)
        {
            await Expect(Rows.Status(page, serviceId, i)).ToHaveTextAsync("RUNNING", new() { Timeout = 60_000 });
        }

        await page.EvaluateAsync(Recorder);
        var fromStored = new List<double>();
        var fromKill = new List<double>();
        for (var k = 0; k < Samples; k++)
        {
            var number = k % Instances;
            var instance = await RunningAsync(serviceId, number);
            var last = (await stack.Api.InstanceEventsAsync(serviceId)).Select(e => e.Id).DefaultIfEmpty(0).Max();
            var killedAt = DateTimeOffset.UtcNow;
            Signals.KillWorkload(instance.Pid.ShouldNotBeNull());
            var dead = (await Wait.ForAsync(() => stack.Api.InstanceEventsAsync(serviceId, last),
                events => events.Any(e => e.InstanceNumber == number && e.Status == "DEAD"), TimeSpan.FromSeconds(30), $"instance {number}'s DEAD event"))
                .First(e => e.InstanceNumber == number && e.Status == "DEAD");
            var shownAt = await Wait.ForAsync(() => ShownAtAsync(page, dead), t => t > 0, TimeSpan.FromSeconds(30), $"event {dead.Id} on the page",
                poll: TimeSpan.FromMilliseconds(20));
            fromStored.Add(shownAt - dead.Time.ToUnixTimeMilliseconds());
            fromKill.Add(shownAt - killedAt.ToUnixTimeMilliseconds());
        }

        await Screenshots.SaveAsync(page, "service-after-10-kills");
        var report = string.Join('\n',
            $"# dashboard: instance state change → shown in the browser ({Samples} kills, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()})",
            Line("event time → painted", fromStored),
            Line("kill -9 → painted", fromKill));
        output.WriteLine(report);
        stack.Print(report);
        await File.WriteAllTextAsync(Path.Combine(Screenshots.Directory, "state-change-latency.txt"), report + "\n");
        fromStored.Count.ShouldBe(Samples);
        (await stack.Api.DeleteAsync($"api/application/{(await stack.Api.ServiceAsync(serviceId)).ApplicationId}")).EnsureSuccessStatusCode();
    }

    private async Task<InstanceDocument> RunningAsync(string serviceId, int number) =>
        (await Wait.ForAsync(() => stack.Api.ServiceAsync(serviceId),
            s => s.InstanceList.Any(i => i.InstanceNumber == number && i.Status == InstanceStatus.Running && i.Pid is not null),
            TimeSpan.FromSeconds(60), $"instance {number} to run")).InstanceList.Single(i => i.InstanceNumber == number);

    private static async Task<double> ShownAtAsync(IPage page, EventDocument e) =>
        await page.EvaluateAsync<double?>($"() => window.__canopyShownAt['{e.Id}'] ?? null") ?? 0;

    private static string Line(string what, List<double> ms)
    {
        var sorted = ms.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: median {median:0} ms, min {sorted[0]:0} ms, max {sorted[^1]:0} ms (each: {string.Join(", ", ms.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))})");
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
