using System.Net.Security;
using System.Security.Authentication;
using Canopy.Mqtt;
using Canopy.Security;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary>
/// How this node knows its cluster: by the pin of the cluster's CA that came with its join token (<c>&lt;secret&gt;.sha256:…</c>) and is
/// kept in node.json for every later start. Registration (HTTPS) and the broker (TLS) must show a certificate of exactly that CA
/// before the node sends anything; a plain-http cluster URL is only for a token without a pin (a cluster run with --insecure-http).
/// </summary>
internal sealed class ClusterTrust
{
    private readonly NodeIdentityStore _identity;
    private readonly PinnedCa? _pinned;

    public ClusterTrust(NodeEngineOptions options, NodeIdentityStore identity)
    {
        _identity = identity;
        var token = JoinToken.Parse(options.JoinToken);
        Secret = token.Secret;
        Pin = token.CaPin ?? identity.KeptPin;
        _pinned = Pin is null ? null : new PinnedCa(Pin);
        // Every address of the cluster must be https for the pin to mean anything: one plain-http address would bypass it.
        var secure = options.ClusterUrls().Any(u => Uri.TryCreate(u, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps);
        var plain = options.ClusterUrls().Any(u => !(Uri.TryCreate(u, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps));
        Problem = (secure, Pin) switch
        {
            (true, null) =>
                $"the join token carries no CA pin of the cluster at {options.ClusterUrl}, so this node cannot tell the cluster from an " +
                "impostor: use the whole token as the cluster or `canopy token create node` printed it (<secret>.sha256:<64 hex digits>)",
            (_, not null) when plain =>
                $"the join token pins the cluster's CA, but --cluster {options.ClusterUrl} is not https://: use https:// (a cluster " +
                "speaks plain HTTP only when started with --insecure-http, and then its tokens carry no pin)",
            _ => null,
        };
    }

    /// <summary>The secret part of the join token: what the cluster checks.</summary>
    public string Secret { get; }

    public string? Pin { get; }

    /// <summary>Why this node must not talk to its cluster as configured; null when it may.</summary>
    public string? Problem { get; }

    /// <summary>An HTTP handler that accepts only the pinned CA's certificates (plain handler without a pin).</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = connectTimeout };
        if (_pinned is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = _pinned.Callback;
        }

        return handler;
    }

    /// <summary>TLS for the broker connection when the cluster says its broker speaks TLS.</summary>
    public MqttTlsOptions? Mqtt(bool tls)
    {
        if (!tls)
        {
            return null;
        }

        // Without a pin there is nothing to check the broker against: refuse every certificate (the node says why, see Problem).
        RemoteCertificateValidationCallback check = _pinned is null ? (_, _, _, _) => false : _pinned.Callback;
        return new MqttTlsOptions { RemoteCertificateValidationCallback = check };
    }

    /// <summary>Why the last TLS handshake with the cluster or its broker failed, when a certificate was refused.</summary>
    public string? Refusal(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                return _pinned?.LastError is { } why
                    ? $"the cluster's certificate was refused: {why}"
                    : $"the TLS handshake with the cluster failed: {e.Message}" +
                      (_pinned is null ? " (this node has no pin of the cluster's CA: join with the token that carries it)" : "");
            }
        }

        return null;
    }

    /// <summary>Keeps the pin for the next start, whose token (or lack of one) may not carry it.</summary>
    public void Remember()
    {
        if (Pin is not null && _identity.KeptPin != Pin)
        {
            _identity.SavePin(Pin);
        }
    }
}
