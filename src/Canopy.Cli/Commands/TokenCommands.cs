using System.CommandLine;
using System.Globalization;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

/// <summary>
/// <c>canopy token create|list|revoke cluster|node</c>: join tokens (Admin). Cluster tokens live at the root; node tokens at
/// their cluster, reached through the root (<c>--cluster</c>). Revoking refuses later registrations; registered ones stay.
/// </summary>
public static class TokenCommands
{
    public static Command Build()
    {
        var token = new Command("token", "Join tokens for clusters (kept at the root) and nodes (kept at their cluster); Admin only");
        token.Subcommands.Add(Group("create", "Create a join token; its secret is shown only once", CreateCluster(), CreateNode()));
        token.Subcommands.Add(Group("list", "List join tokens (never their secrets)", ListCluster(), ListNode()));
        token.Subcommands.Add(Group("revoke", "Revoke a join token: nothing can register with it any more (registered clusters/nodes stay)",
            RevokeCluster(), RevokeNode()));
        return token;
    }

    /// <summary>"90s", "30m", "24h", "7d" or plain seconds.</summary>
    public static long ParseTtl(string text)
    {
        var trimmed = text.Trim();
        var unit = trimmed.Length > 0 && char.IsLetter(trimmed[^1]) ? char.ToLowerInvariant(trimmed[^1]) : 's';
        var number = char.IsLetter(trimmed.LastOrDefault()) ? trimmed[..^1] : trimmed;
        var factor = unit switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, _ => 0L };
        return factor > 0 && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? checked(value * factor)
            : throw new CliException($"--ttl: '{text}' is not a duration such as 90s, 30m, 24h or 7d", ExitCodes.InvalidInput);
    }

    private static Command Group(string name, string description, params Command[] kinds)
    {
        var group = new Command(name, description);
        foreach (var kind in kinds)
        {
            group.Subcommands.Add(kind);
        }

        return group;
    }

    private static Option<string> ClusterOption() =>
        new("--cluster", "-c") { Description = "Name or id of the cluster that keeps the node tokens", Required = true };

    private static Option<string?> DescriptionOption() => new("--description", "-d") { Description = "What the token is for" };

    private static Option<string?> TtlOption() => new("--ttl") { Description = "Lifetime, e.g. 30m, 24h, 7d (default: no expiry)" };

    private static Option<int?> UsesOption() => new("--uses")
    {
        Description = "How many clusters or nodes it may register (default: no limit); re-registering with its own secret uses none",
    };

    private static Argument<string> IdArgument() => new("id") { Description = "The token's id (from `canopy token list`)" };

    private static string NodeTokens(string cluster) => $"api/v1/clusters/{Uri.EscapeDataString(cluster)}/tokens/nodes";

    private static Command CreateCluster()
    {
        var description = DescriptionOption();
        var ttl = TtlOption();
        var uses = UsesOption();
        var command = new Command("cluster", "A token a cluster orchestrator joins the root with (canopy cluster --join-token)") { description, ttl, uses };
        command.Handle((parse, ct) => CreateAsync(parse, "api/v1/tokens/clusters",
            new CreateJoinTokenRequest(parse.GetValue(description), Ttl(parse.GetValue(ttl)), Uses(parse.GetValue(uses))), "canopy cluster --join-token", ct));
        return command;
    }

    private static Command CreateNode()
    {
        var cluster = ClusterOption();
        var description = DescriptionOption();
        var ttl = TtlOption();
        var uses = UsesOption();
        var command = new Command("node", "A token worker nodes join that cluster with (canopy node --join-token)") { cluster, description, ttl, uses };
        command.Handle((parse, ct) => CreateAsync(parse, NodeTokens(parse.GetValue(cluster)!),
            new CreateJoinTokenRequest(parse.GetValue(description), Ttl(parse.GetValue(ttl)), Uses(parse.GetValue(uses))), "canopy node --join-token", ct));
        return command;
    }

    private static long? Ttl(string? ttl) => ttl is null ? null : ParseTtl(ttl);

    private static int? Uses(int? uses) => uses is null or > 0
        ? uses
        : throw new CliException($"--uses: {uses} is not a positive number of registrations", ExitCodes.InvalidInput);

    private static async Task<int> CreateAsync(ParseResult parse, string path, CreateJoinTokenRequest request, string usage, CancellationToken ct)
    {
        var output = GlobalOptions.OutputOf(parse);
        using var api = GlobalOptions.ClientOf(parse);
        var created = await api.PostAsync<CreatedJoinTokenDocument>(path, request, ct);
        if (output.IsJson)
        {
            output.Json(created);
            return ExitCodes.Success;
        }

        output.Info($"Created {created.Kind} join token {created.Id}" +
                    (created.ExpiresAt is { } e ? $" (expires {e.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z" : " (no expiry") +
                    (created.MaxUses is { } max ? $", {max} use{(max == 1 ? "" : "s")})." : ")."));
        output.Info("Its secret is shown only now; pass it to " + usage + ":");
        output.Info(created.Token);
        return ExitCodes.Success;
    }

    private static Command ListCluster()
    {
        var command = new Command("cluster", "Cluster join tokens");
        command.Handle((parse, ct) => ListAsync(parse, "api/v1/tokens/clusters", ct));
        return command;
    }

    private static Command ListNode()
    {
        var cluster = ClusterOption();
        var command = new Command("node", "Node join tokens of a cluster") { cluster };
        command.Handle((parse, ct) => ListAsync(parse, NodeTokens(parse.GetValue(cluster)!), ct));
        return command;
    }

    private static async Task<int> ListAsync(ParseResult parse, string path, CancellationToken ct)
    {
        var output = GlobalOptions.OutputOf(parse);
        using var api = GlobalOptions.ClientOf(parse);
        var tokens = await api.GetAsync<List<JoinTokenDocument>>(path, ct);
        if (output.IsJson)
        {
            output.Json(tokens);
            return ExitCodes.Success;
        }

        output.Table(["ID", "KIND", "STATE", "USES", "DESCRIPTION", "CREATED", "BY", "EXPIRES"], tokens.Select(t => (IReadOnlyList<string>)
        [
            t.Id, t.Kind, State(t), t.MaxUses is { } max ? $"{t.Uses}/{max}" : $"{t.Uses}", Format.OrDash(t.Description), Time(t.CreatedAt),
            Format.OrDash(t.CreatedBy), t.ExpiresAt is { } e ? Time(e) : "never",
        ]));
        return ExitCodes.Success;
    }

    private static Command RevokeCluster()
    {
        var id = IdArgument();
        var command = new Command("cluster", "Revoke a cluster join token") { id };
        command.Handle((parse, ct) => RevokeAsync(parse, $"api/v1/tokens/clusters/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct));
        return command;
    }

    private static Command RevokeNode()
    {
        var id = IdArgument();
        var cluster = ClusterOption();
        var command = new Command("node", "Revoke a node join token of a cluster") { id, cluster };
        command.Handle((parse, ct) =>
            RevokeAsync(parse, $"{NodeTokens(parse.GetValue(cluster)!)}/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct));
        return command;
    }

    private static async Task<int> RevokeAsync(ParseResult parse, string path, CancellationToken ct)
    {
        var output = GlobalOptions.OutputOf(parse);
        using var api = GlobalOptions.ClientOf(parse);
        var revoked = await api.DeleteAsync(path, ct);
        if (output.IsJson)
        {
            output.Json(revoked);
        }
        else
        {
            var id = revoked.TryGetProperty("id", out var i) ? i.GetString() : "?";
            var kind = revoked.TryGetProperty("kind", out var k) ? k.GetString() : "";
            output.Info($"Revoked {kind} join token {id}: it can register nothing any more; what registered with it stays.");
        }

        return ExitCodes.Success;
    }

    private static string State(JoinTokenDocument token) =>
        token.Revoked ? "revoked"
        : token.ExpiresAt is { } e && e <= DateTimeOffset.UtcNow ? "expired"
        : token.MaxUses is { } max && token.Uses >= max ? "used up"
        : "valid";

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
