using Canopy.Cli;
using Canopy.Cli.Commands;

namespace Canopy.Cli.Tests.Commands;

public sealed class CanopyCommandTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("up", "--help")]
    [InlineData("root", "--help")]
    [InlineData("cluster", "--help")]
    [InlineData("node", "--help")]
    [InlineData("app", "deploy", "--help")]
    [InlineData("service", "scale", "--help")]
    [InlineData("instance", "list", "--help")]
    [InlineData("logs", "--help")]
    public async Task Help_EveryCommand_ExitsZero(params string[] args) =>
        (await CanopyCommand.Build().Parse(args).InvokeAsync()).ShouldBe(0);

    [Fact]
    public void No_command_has_two_options_with_one_name()
    {
        var clashes = new List<string>();
        void Walk(System.CommandLine.Command command, IReadOnlyList<System.CommandLine.Option> inherited)
        {
            var options = inherited.Concat(command.Options).Distinct().ToList();
            clashes.AddRange(options.SelectMany(o => o.Aliases.Append(o.Name)).GroupBy(n => n).Where(g => g.Count() > 1)
                .Select(g => $"{command.Name}: {g.Key}"));
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. options.Where(o => o.Recursive)]);
            }
        }

        Walk(CanopyCommand.Build(), []);

        clashes.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_UnknownCommand_IsAnError() =>
        CanopyCommand.Build().Parse(["frobnicate"]).Errors.ShouldNotBeEmpty();

    [Fact]
    public void Parse_ScaleWithoutCount_IsAnError() =>
        CanopyCommand.Build().Parse(["service", "scale", "web"]).Errors.ShouldNotBeEmpty();

    [Fact]
    public async Task ClientCommand_WithoutLogin_ExitsNotLoggedIn()
    {
        var config = Path.Combine(Path.GetTempPath(), $"canopy-cli-{Guid.NewGuid():N}.json");
        Environment.SetEnvironmentVariable("CANOPY_CONFIG", config);
        try
        {
            var code = await CanopyCommand.RunAsync(["app", "list", "--server", "http://127.0.0.1:1"]);
            code.ShouldBe(ExitCodes.NotLoggedIn);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CANOPY_CONFIG", null);
        }
    }

    [Fact]
    public async Task ClientCommand_ServerDown_ExitsUnreachable()
    {
        var code = await CanopyCommand.RunAsync(["app", "list", "--server", "http://127.0.0.1:1", "--token", "x"]);
        code.ShouldBe(ExitCodes.ServerUnreachable);
    }
}
