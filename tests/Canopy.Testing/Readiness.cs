using System.Diagnostics;
using System.Net;

namespace Canopy.Testing;

/// <summary>Waits for a started Canopy process to answer 200 on its readiness endpoint, as a supervisor would.</summary>
public static class Readiness
{
    private const string Ready = "200";
    private const string Exited = "exited";

    /// <param name="output">The process's output so far, shown when it exits or the deadline passes.</param>
    /// <exception cref="InvalidOperationException">The process exited first.</exception>
    /// <param name="handler">For an https endpoint: one that trusts the tier's CA (<see cref="PinnedHttp.Handler"/>).</param>
    /// <exception cref="TimeoutException">No 200 within <paramref name="timeout"/>; the message holds the last answer.</exception>
    public static async Task WaitAsync(Process process, Uri endpoint, TimeSpan timeout, string what, Func<string> output, HttpMessageHandler? handler = null)
    {
        using var http = new HttpClient(handler ?? new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(2) };
        string answer;
        try
        {
            answer = await Wait.ForAsync(
                async () => process.HasExited ? Exited : await AskAsync(http, endpoint),
                a => a is Ready or Exited,
                timeout,
                $"{what} to answer 200 on {endpoint}",
                poll: TimeSpan.FromMilliseconds(20)); // fine-grained: the start-up benchmark measures through this wait
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{output()}", e);
        }

        if (answer == Exited)
        {
            throw new InvalidOperationException($"{what} exited with {process.ExitCode} before {endpoint} answered 200:\n{output()}");
        }
    }

    /// <returns>"200", or the status and body of any other answer (a 503 names what the process still waits for).</returns>
    private static async Task<string> AskAsync(HttpClient http, Uri endpoint)
    {
        using var response = await http.GetAsync(endpoint);
        return response.StatusCode == HttpStatusCode.OK ? Ready : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }
}
