using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Canopy.Testing.Browser;
using Microsoft.Playwright;

namespace Canopy.Benchmarks;

/// <summary>
/// The root's cost of a dashboard left open (issue 13): root, cluster and node as separate processes, one running service;
/// the root alone first (no browser), then with Debian's Chromium showing that service's page (its event stream open, its
/// periodic refresh running): the root's CPU over the window and its RSS at the end, and the API requests the page made.
/// </summary>
internal static class DashboardBenchmarks
{
    public static async Task RunAsync(TimeSpan open, TimeSpan alone)
    {
        InstalledChromium.Require();
        Console.WriteLine($"Root with the dashboard open in headless Chromium ({InstalledChromium.Path}); load average at the start {Stats.LoadAverage()}");
        await using var tiers = new SeparateTiers(tls: true);
        await tiers.StartAsync();
        using var api = await tiers.RootApiAsync();
        var serviceId = await SleeperApplication.CreateAsync(api, "watched", "bench");
        (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options))!
            .InstanceList.Any(i => i.Status == InstanceStatus.Running), TimeSpan.FromSeconds(60), "the watched service to run");
        var root = tiers.Pids["root"];

        Console.WriteLine();
        Console.WriteLine("| root | window | CPU (of one core) | RSS at the end | API requests by the page | load average |");
        Console.WriteLine("|---|---|---|---|---|---|");
        await Task.Delay(TimeSpan.FromSeconds(5)); // the deploy's work is not idle
        var cpu = await CpuPercentAsync(root, alone);
        Console.WriteLine($"| no browser | {alone.TotalSeconds:0} s | {cpu:0.00} % | {Stats.RssMb(root):0} MB | - | {Stats.LoadAverage()} |");

        var (playwright, browser) = await InstalledChromium.LaunchAsync();
        using (playwright)
        {
            await using (browser)
            {
                await using var context = await InstalledChromium.NewDashboardContextAsync(browser, tiers.RootUrl);
                context.SetDefaultTimeout(60_000);
                var page = await context.NewPageAsync();
                var requests = 0;
                page.Request += (_, request) =>
                {
                    if (new Uri(request.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref requests);
                    }
                };
                await DashboardLogin.OpenAndLogInAsync(page, "Admin", SeparateTiers.AdminPassword);
                await page.GotoAsync($"/#/services/{serviceId}");
                await Assertions.Expect(page.Locator($"tr[data-service-id='{serviceId}'][data-instance='0'] td[data-field='status']"))
                    .ToHaveTextAsync("RUNNING", new() { Timeout = 60_000 });
                await Task.Delay(TimeSpan.FromSeconds(5)); // the page's first loads are not idle
                var before = Volatile.Read(ref requests);
                cpu = await CpuPercentAsync(root, open);
                Console.WriteLine($"| dashboard open (service page) | {open.TotalSeconds:0} s | {cpu:0.00} % | {Stats.RssMb(root):0} MB | " +
                                  $"{Volatile.Read(ref requests) - before} | {Stats.LoadAverage()} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load average at the end {Stats.LoadAverage()}");
    }

    private static async Task<double> CpuPercentAsync(int pid, TimeSpan window)
    {
        var before = Stats.CpuTime(pid);
        await Task.Delay(window);
        return (Stats.CpuTime(pid) - before) / window * 100;
    }
}
