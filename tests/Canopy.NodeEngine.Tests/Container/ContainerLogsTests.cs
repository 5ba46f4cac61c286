using Canopy.NodeEngine.Runtimes.Container;

namespace Canopy.NodeEngine.Tests.Container;

public sealed class ContainerLogsTests
{
    [Fact]
    public void Cri_lines_become_the_messages_with_partial_pieces_joined_per_stream()
    {
        string[] lines =
        [
            "2026-11-21T23:19:41.920476783Z stdout F first",
            "2026-11-21T23:19:41.920476784Z stdout P long ",
            "2026-11-21T23:19:41.920476785Z stderr F an error in between",
            "2026-11-21T23:19:41.920476786Z stdout P line ",
            "2026-11-21T23:19:41.920476787Z stdout F ends here",
            "2026-11-21T23:19:41.920476788Z stdout F ",
            "cut by a rotation",
        ];

        ContainerLogs.Parse(lines).ShouldBe(["first", "an error in between", "long line ends here", "", "cut by a rotation"]);
    }

    [Fact]
    public void An_unfinished_partial_line_is_shown_at_the_end()
    {
        ContainerLogs.Parse(["2026-11-21T23:19:41Z stdout P no newline yet"]).ShouldBe(["no newline yet"]);
    }

    [Fact]
    public async Task The_tail_reaches_into_the_rotated_file()
    {
        var dir = Directory.CreateTempSubdirectory("cnp-logs-").FullName;
        try
        {
            var log = Path.Combine(dir, "container.log");
            await File.WriteAllTextAsync(log + ".1", "2026-11-21T23:19:41Z stdout F one\n2026-11-21T23:19:42Z stdout F two\n");
            await File.WriteAllTextAsync(log, "2026-11-21T23:19:43Z stdout F three\n");

            (await ContainerLogs.TailAsync(log, log + ".1", 2, CancellationToken.None)).ShouldBe("two\nthree\n");
            (await ContainerLogs.TailAsync(log, log + ".1", 0, CancellationToken.None)).ShouldBe("one\ntwo\nthree\n");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
