using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Authentication;
using Canopy.Security;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// Whom the cluster trusts as its root: the CA whose pin its join token carries after the secret (<see cref="JoinToken"/>), or
/// <see cref="ClusterOptions.RootCaPin"/>. Registration and the link check the root's certificate against it in the TLS
/// handshake, before the cluster sends its token, name or anything else. A plain <c>http://</c> root (run with
/// <c>--insecure-http</c>) is accepted without a pin, with a warning.
/// </summary>
internal sealed partial class RootTrust
{
    private readonly PinnedCa? _pinned;

    public RootTrust(ClusterOptions options, ILogger<RootTrust> logger)
    {
        var token = JoinToken.Parse(options.RootJoinToken);
        Secret = token.Secret;
        Pin = PinOf(options);
        if (IsHttps(options))
        {
            _pinned = new PinnedCa(Pin ?? throw new ArgumentException(Problem(options)));
        }
        else
        {
            Log.Insecure(logger, string.Join(", ", options.RootAddresses()));
        }
    }

    /// <summary>The secret part of the join token: all the root checks, so all it is sent.</summary>
    public string Secret { get; }

    public string? Pin { get; }

    /// <summary>A client for the root's API that trusts only the pinned CA.</summary>
    public HttpClient CreateHttpClient(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = timeout };
        if (_pinned is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = _pinned.Callback;
        }

        return new HttpClient(handler) { Timeout = timeout };
    }

    public void Configure(ClientWebSocket socket)
    {
        if (_pinned is not null)
        {
            socket.Options.RemoteCertificateValidationCallback = _pinned.Callback;
        }
    }

    /// <summary>Why the root's certificate was refused, when that is what <paramref name="error"/> came from; else null.</summary>
    public string? Refusal(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException && _pinned is not null)
            {
                return _pinned.LastError ?? e.Message;
            }
        }

        return null;
    }

    /// <summary>For <see cref="ClusterOptions.Validate"/>: an https root needs a pin to be checked against.</summary>
    public static string? Problem(ClusterOptions options)
    {
        if (options.RootCaPin is { Length: > 0 } pin && !CaPin.TryParse(pin, out _))
        {
            return $"RootCaPin: '{pin}' is not a CA fingerprint (sha256: and 64 hex digits, as 'canopy ca show' prints it)";
        }

        return IsHttps(options) && PinOf(options) is null
            ? $"RootJoinToken: the token carries no pin of the root's CA, so the root at {options.RootUrl} cannot be verified before " +
              "the token is sent; use a token the root issued (canopy token create cluster, or the one canopy up wrote: '<secret>.sha256:...'), " +
              "or give the root's CA fingerprint with RootCaPin (CANOPY_Cluster__RootCaPin)"
            : null;
    }

    private static string? PinOf(ClusterOptions options) =>
        options.RootCaPin is { Length: > 0 } pin && CaPin.TryParse(pin, out var parsed) ? parsed : JoinToken.Parse(options.RootJoinToken).CaPin;

    // Every address has the same scheme (ClusterOptions.Validate); the first one says which.
    private static bool IsHttps(ClusterOptions options) =>
        options.RootAddresses().FirstOrDefault()?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RootInsecure, Level = LogLevel.Warning,
            Message = "The root at {Url} is plain HTTP: the join token, this cluster's credential and workloads cross the wire unencrypted, and the root is not verified")]
        public static partial void Insecure(ILogger logger, string url);
    }
}
