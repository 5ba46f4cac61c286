using System.Text;

namespace Canopy.NodeEngine.Network;

/// <summary>
/// The iptables rules CNI's bridge (masquerade) and portmap (DNAT) plugins add for a node's pods. Each carries the CNI
/// network's name in its comment (<c>name: "canopy-cnp…" id: "…"</c>), and the node's network is named after its bridge:
/// that is how they are found again when their pods were never deleted through CNI (a node killed, its data dir deleted).
/// </summary>
internal static class CniRules
{
    /// <summary>Chains every CNI user on the machine shares: only the node's rules in them go, never the chains.</summary>
    private static readonly HashSet<string> Shared = new(StringComparer.Ordinal)
    {
        "CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK", "CNI-FORWARD", "CNI-ADMIN",
    };

    /// <summary>
    /// An <c>iptables-restore --noflush</c> script that removes what <c>iptables-save</c> output <paramref name="saved"/> holds of
    /// network <paramref name="networkName"/>: its rules, and the per-pod chains they jump to (flushed, then deleted, with every
    /// rule that jumps to them). Null when there is nothing of it.
    /// </summary>
    public static string? RemovalScript(string saved, string networkName)
    {
        var marker = $"name: \\\"{networkName}\\\"";
        var script = new StringBuilder();
        foreach (var (table, rules) in Tables(saved))
        {
            var matched = rules.Where(r => r.Line.Contains(marker, StringComparison.Ordinal)).ToList();
            if (matched.Count == 0)
            {
                continue;
            }

            var chains = matched.SelectMany(r => new[] { r.Chain, r.Target })
                .Where(c => c is not null && c.StartsWith("CNI-", StringComparison.Ordinal) && !Shared.Contains(c))
                .Select(c => c!)
                .ToHashSet(StringComparer.Ordinal);
            var deletes = rules.Where(r => !chains.Contains(r.Chain) && (matched.Contains(r) || (r.Target is { } t && chains.Contains(t))))
                .Select(r => "-D " + r.Line[3..])
                .Distinct()
                .ToList();

            script.Append('*').Append(table).Append('\n');
            foreach (var delete in deletes)
            {
                script.Append(delete).Append('\n');
            }

            foreach (var chain in chains.Order(StringComparer.Ordinal))
            {
                script.Append("-F ").Append(chain).Append('\n');
            }

            foreach (var chain in chains.Order(StringComparer.Ordinal))
            {
                script.Append("-X ").Append(chain).Append('\n');
            }

            script.Append("COMMIT\n");
        }

        return script.Length == 0 ? null : script.ToString();
    }

    /// <summary>True when <paramref name="saved"/> still holds a rule of <paramref name="networkName"/>.</summary>
    public static bool Mentions(string saved, string networkName) => saved.Contains($"name: \\\"{networkName}\\\"", StringComparison.Ordinal);

    private static IEnumerable<(string Table, List<Rule> Rules)> Tables(string saved)
    {
        string? table = null;
        var rules = new List<Rule>();
        foreach (var raw in saved.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('*'))
            {
                table = line[1..];
                rules = [];
            }
            else if (line == "COMMIT" && table is not null)
            {
                yield return (table, rules);
                table = null;
            }
            else if (table is not null && line.StartsWith("-A ", StringComparison.Ordinal))
            {
                var words = line.Split(' ');
                var jump = Array.IndexOf(words, "-j");
                rules.Add(new Rule(line, words[1], jump > 0 && jump + 1 < words.Length ? words[jump + 1] : null));
            }
        }
    }

    private sealed record Rule(string Line, string Chain, string? Target);
}
