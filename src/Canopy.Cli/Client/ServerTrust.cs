using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Canopy.Security;

namespace Canopy.Cli.Client;

/// <summary>
/// How the CLI trusts a root: an <c>https://</c> server only with the CA pinned for its URL in the CLI config (or given by
/// <c>--ca-fingerprint</c> / <c>$CANOPY_CA_FINGERPRINT</c>), checked in the handshake before any request is sent; an
/// <c>http://</c> server (a root run with <c>--insecure-http</c>) as it is.
/// </summary>
internal sealed class ServerTrust
{
    private readonly PinnedCa? _pinned;

    public ServerTrust(string server, string? pin)
    {
        Server = server;
        Https = server.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (Https && pin is not null)
        {
            _pinned = new PinnedCa(pin);
        }
    }

    public string Server { get; }

    public bool Https { get; }

    public string? Pin => _pinned?.Pin;

    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (_pinned is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = _pinned.Callback;
        }

        return handler;
    }

    /// <summary>Before a request to an https server whose CA is not pinned: nothing may be sent to it.</summary>
    public void EnsurePinned()
    {
        if (Https && _pinned is null)
        {
            throw new CliException(
                $"No CA fingerprint is pinned for {Server} in {CliConfig.Path}. Run `canopy login --server {Server}`: it shows the " +
                "server's fingerprint to confirm (compare it with the one `canopy up` printed, or `canopy ca show` on the root's machine), " +
                "or pass --ca-fingerprint sha256:... (or $CANOPY_CA_FINGERPRINT).",
                ExitCodes.NotLoggedIn);
        }
    }

    /// <summary>The CLI error for a refused certificate, when <paramref name="error"/> is one; else null.</summary>
    public CliException? Refusal(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                var why = _pinned?.LastError ?? e.Message;
                return new CliException(
                    $"Refused the server at {Server}: {why}. Nothing was sent to it. If the root was set up again and you trust its new " +
                    $"CA, pin it: `canopy login --server {Server} --ca-fingerprint <its fingerprint>` (`canopy ca show` on the root's machine prints it).",
                    ExitCodes.ServerUnreachable);
            }
        }

        return null;
    }

    /// <summary>
    /// The pin of the CA an https server presents, for the first login to show: the handshake is abandoned as soon as the
    /// certificates are seen, so nothing is sent to the server.
    /// </summary>
    public static async Task<string> FetchPinAsync(string server, CancellationToken ct)
    {
        string? seen = null;
        using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            seen = IssuerPin(certificate as X509Certificate2, chain);
            return false;
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(server + "/"), "health"), ct);
        }
        catch (HttpRequestException) when (seen is not null)
        {
            // Refused by the callback above, as intended.
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach the Canopy API at {server} ({e.Message}). Is `canopy up` running? Use --server to point elsewhere.",
                ExitCodes.ServerUnreachable);
        }

        return seen ?? throw new CliException($"The server at {server} presented no CA certificate with its own; is it a Canopy root?",
            ExitCodes.ServerUnreachable);
    }

    private static string? IssuerPin(X509Certificate2? leaf, X509Chain? chain)
    {
        if (leaf is null || chain is null)
        {
            return null;
        }

        var presented = chain.ChainPolicy.ExtraStore.Concat(chain.ChainElements.Select(e => e.Certificate));
        return presented.FirstOrDefault(c => c.Thumbprint != leaf.Thumbprint && c.Subject == leaf.Issuer) is { } ca ? CaPin.Of(ca) : null;
    }
}
