using System.Text.Json;
using Canopy.Contracts;
using Spectre.Console;

namespace Canopy.Cli.Interaction;

/// <summary>
/// The only place that writes to the console. Tables for people; with <c>--output json</c> stdout carries only JSON
/// and everything meant for people goes to stderr.
/// </summary>
public sealed class Output(OutputFormat format)
{
    private static readonly IAnsiConsole Err = Create(Console.Error, Console.IsErrorRedirected);
    private static readonly IAnsiConsole Out = Create(Console.Out, Console.IsOutputRedirected);

    public OutputFormat Format { get; } = format;

    public bool IsJson => Format == OutputFormat.Json;

    /// <summary>Writes JSON (raw when <paramref name="value"/> is already a JsonElement).</summary>
    public void Json<T>(T value)
    {
        var text = value is JsonElement e
            ? JsonSerializer.Serialize(e, CanopyJson.Indented)
            : JsonSerializer.Serialize(value, CanopyJson.Indented);
        Console.Out.WriteLine(text);
    }

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in headers)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(h)}[/]"));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(c => new Markup(Markup.Escape(c))).ToArray());
        }

        Out.Write(table);
    }

    /// <summary>A line for people: stdout in table mode, stderr in JSON mode.</summary>
    public void Info(string text)
    {
        if (IsJson)
        {
            Console.Error.WriteLine(text);
        }
        else
        {
            Console.Out.WriteLine(text);
        }
    }

    public void Warn(string text) => Err.MarkupLine($"[yellow]warning:[/] {Markup.Escape(text)}");

    public static void Error(string text) => Err.MarkupLine($"[red]error:[/] {Markup.Escape(text)}");

    /// <summary>The console for live displays (spinners, watched tables).</summary>
    public static IAnsiConsole Live => Out;

    /// <summary>A pipe or file gets plain text as wide as it needs: no colours, no wrapping at 80 columns.</summary>
    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 400;
        }

        return console;
    }
}
