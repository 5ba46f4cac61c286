using System.Security.Cryptography.X509Certificates;
using Canopy.Security;

namespace Canopy.Testing;

/// <summary>
/// HTTP clients for a Canopy tier's HTTPS API that trust its CA by pin, as the CLI and the tiers do: the pin is read from
/// <c>&lt;pki dir&gt;/ca.crt</c> at the first handshake, so a client may be made before the tier has created its CA.
/// An http:// address needs none of it and works as before.
/// </summary>
public static class PinnedHttp
{
    /// <summary>The pin of the CA in <paramref name="pkiDirectory"/> (a tier's <c>&lt;data dir&gt;/pki</c>).</summary>
    public static string PinOf(string pkiDirectory)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(pkiDirectory, "ca.crt")));
        return CaPin.Of(certificate);
    }

    public static SocketsHttpHandler Handler(string pkiDirectory)
    {
        PinnedCa? pinned = null;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            if (pinned is null && File.Exists(Path.Combine(pkiDirectory, "ca.crt")))
            {
                pinned = new PinnedCa(PinOf(pkiDirectory));
            }

            return pinned?.Validate(sender, certificate, chain, errors) == true;
        };
        return handler;
    }

    public static HttpClient Client(string pkiDirectory, string? baseUrl = null, TimeSpan? timeout = null)
    {
        var http = new HttpClient(Handler(pkiDirectory)) { Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        if (baseUrl is not null)
        {
            http.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
        }

        return http;
    }
}
