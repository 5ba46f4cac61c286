namespace Canopy.NodeEngine.Tests.Support;

public static class Http
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>GETs the page until it answers (the server may still be binding its port).</summary>
    public static Task<string> GetEventuallyAsync(int port, string path = "/index.html") =>
        Eventually.UntilAsync<string>(
            async () => await Client.GetStringAsync($"http://127.0.0.1:{port}{path}"),
            body => body is not null,
            $"HTTP answer on port {port}");
}
