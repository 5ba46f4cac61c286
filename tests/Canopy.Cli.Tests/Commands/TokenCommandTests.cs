using System.Net;
using System.Net.Sockets;
using System.Text;
using Canopy.Cli;
using Canopy.Cli.Commands;

namespace Canopy.Cli.Tests.Commands;

public sealed class TokenCommandTests
{
    [Theory]
    [InlineData("token", "--help")]
    [InlineData("token", "create", "cluster", "--help")]
    [InlineData("token", "create", "node", "--help")]
    [InlineData("token", "list", "cluster", "--help")]
    [InlineData("token", "list", "node", "--help")]
    [InlineData("token", "revoke", "cluster", "--help")]
    [InlineData("token", "revoke", "node", "--help")]
    public async Task Help_EveryTokenCommand_ExitsZero(params string[] args) =>
        (await CanopyCommand.Build().Parse(args).InvokeAsync()).ShouldBe(0);

    [Theory]
    [InlineData("token", "create", "cluster")]
    [InlineData("token", "create", "cluster", "--description", "edge rollout", "--ttl", "24h")]
    [InlineData("token", "create", "node", "--cluster", "edge-1", "-d", "rack 4", "--ttl", "30m")]
    [InlineData("token", "list", "cluster")]
    [InlineData("token", "list", "node", "--cluster", "edge-1")]
    [InlineData("token", "revoke", "cluster", "0123456789ab")]
    [InlineData("token", "revoke", "node", "0123456789ab", "--cluster", "edge-1")]
    [InlineData("token", "list", "cluster", "--output", "json")]
    public void Parse_ValidTokenCommands_HasNoErrors(params string[] args) =>
        CanopyCommand.Build().Parse(args).Errors.ShouldBeEmpty();

    [Theory]
    [InlineData("token", "create")]
    [InlineData("token", "create", "node")]
    [InlineData("token", "list", "node")]
    [InlineData("token", "revoke", "cluster")]
    [InlineData("token", "revoke", "node", "0123456789ab")]
    [InlineData("token", "create", "pod")]
    public void Parse_IncompleteTokenCommands_AreErrors(params string[] args) =>
        CanopyCommand.Build().Parse(args).Errors.ShouldNotBeEmpty();

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("2H", 7200)]
    public void ParseTtl_Durations(string text, long seconds) => TokenCommands.ParseTtl(text).ShouldBe(seconds);

    [Theory]
    [InlineData("")]
    [InlineData("0h")]
    [InlineData("-5m")]
    [InlineData("1w")]
    [InlineData("soon")]
    public void ParseTtl_Nonsense_IsInvalidInput(string text) =>
        Should.Throw<CliException>(() => TokenCommands.ParseTtl(text)).ExitCode.ShouldBe(ExitCodes.InvalidInput);

    [Fact]
    public async Task Create_WithBadTtl_ExitsInvalidInputBeforeCallingTheServer()
    {
        var code = await CanopyCommand.RunAsync(["token", "create", "cluster", "--ttl", "soon", "--server", "http://127.0.0.1:1", "--token", "x"]);

        code.ShouldBe(ExitCodes.InvalidInput);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public async Task Create_WithUsesBelowOne_ExitsInvalidInputBeforeCallingTheServer(string uses)
    {
        var code = await CanopyCommand.RunAsync(["token", "create", "node", "--cluster", "c", "--uses", uses, "--server", "http://127.0.0.1:1", "--token", "x"]);

        code.ShouldBe(ExitCodes.InvalidInput);
    }

    [Fact]
    public async Task Create_PostsTheRequestAndPrintsTheSecretAsJson()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = ServeOnceAsync(listener, """{"id":"abc123","token":"cjt_s3cret","kind":"cluster","description":"d","created_at":"2026-01-01T00:00:00Z","expires_at":null}""");
        var stdout = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        int code;
        try
        {
            code = await CanopyCommand.RunAsync(
                ["token", "create", "cluster", "--description", "d", "--ttl", "1h", "--uses", "3", "--server", $"http://127.0.0.1:{port}", "--token", "x", "--output", "json"]);
        }
        finally
        {
            Console.SetOut(stdout);
        }

        var request = await served.WaitAsync(TimeSpan.FromSeconds(10));
        code.ShouldBe(ExitCodes.Success);
        request.ShouldStartWith("POST /api/v1/tokens/clusters ");
        request.ShouldContain("\"ttl_seconds\":3600");
        request.ShouldContain("\"description\":\"d\"");
        request.ShouldContain("\"max_uses\":3");
        captured.ToString().ShouldContain("cjt_s3cret");
    }

    private static async Task<string> ServeOnceAsync(TcpListener listener, string json)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[65536];
        var text = new StringBuilder();
        while (true)
        {
            var read = await stream.ReadAsync(buffer);
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var all = text.ToString();
            var head = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (read == 0 || (head >= 0 && all.Length - head - 4 >= ContentLength(all[..head])))
            {
                break;
            }
        }

        var body = Encoding.UTF8.GetBytes(json);
        var response = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        await stream.WriteAsync(body);
        return text.ToString();
    }

    private static int ContentLength(string head)
    {
        var line = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return line is null ? 0 : int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
