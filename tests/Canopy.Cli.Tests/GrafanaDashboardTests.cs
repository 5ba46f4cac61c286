using System.Text.Json;
using System.Text.RegularExpressions;
using Canopy.Testing;

namespace Canopy.Cli.Tests;

/// <summary>docs/grafana/canopy.json is a Grafana dashboard whose queries name only series that docs/metrics.md documents.</summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public void TheDashboard_IsValidJson_AndEveryCanopySeriesItQueriesIsDocumented()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "docs", "grafana", "canopy.json")));
        var documented = File.ReadAllText(Path.Combine(Repo.Root, "docs", "metrics.md"));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        panels.Count.ShouldBeGreaterThan(10);

        var queried = panels
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => Series().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Value))
            .Select(s => s.EndsWith("_bucket", StringComparison.Ordinal) ? s[..^"_bucket".Length] : s)
            .Distinct()
            .ToList();
        queried.ShouldContain("canopy_deploy_to_running_seconds");
        queried.ShouldContain("canopy_instance_restarts_total");
        queried.Where(s => !documented.Contains($"`{s}`", StringComparison.Ordinal)).ShouldBeEmpty("series the dashboard queries but docs/metrics.md does not list");
    }

    [GeneratedRegex(@"(canopy|dotnet)_[a-z_]+")]
    private static partial Regex Series();
}
