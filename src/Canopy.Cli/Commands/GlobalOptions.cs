using System.CommandLine;
using Canopy.Cli.Client;
using Canopy.Cli.Interaction;

namespace Canopy.Cli.Commands;

/// <summary>Options every client command takes.</summary>
public static class GlobalOptions
{
    public static readonly Option<string[]> Server = new("--server", "-s")
    {
        Description = "Root API address; repeat it or give a comma list for root replicas: the first that answers serves " +
                      "(default: the one(s) `canopy login` remembered, else $CANOPY_SERVER, else https://127.0.0.1:10000)",
        Recursive = true,
    };

    /// <summary>The --server values as one comma list; null when none was given.</summary>
    public static string? ServerOf(ParseResult parse) =>
        parse.GetValue(Server) is { Length: > 0 } servers ? string.Join(',', servers) : null;

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Access token to use instead of the remembered one (or $CANOPY_TOKEN)",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> OutputFormat = new("--output", "-o")
    {
        Description = "table (for people) or json (for scripts)",
        DefaultValueFactory = _ => Interaction.OutputFormat.Table,
        Recursive = true,
    };

    public static Output OutputOf(ParseResult parse) => new(parse.GetValue(OutputFormat));

    public static ApiClient ClientOf(ParseResult parse) =>
        new(ServerOf(parse), parse.GetValue(Token), CliConfig.Load());
}
