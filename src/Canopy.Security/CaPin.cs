using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Canopy.Security;

/// <summary>
/// A CA pin as kubeadm writes it: <c>sha256:</c> and the hex SHA-256 of the CA's SubjectPublicKeyInfo. Hashing the key, not
/// the certificate, keeps pins (and the join tokens that carry them) valid when the CA certificate is renewed with its key.
/// </summary>
public static class CaPin
{
    public const string Prefix = "sha256:";

    public static string Of(X509Certificate2 certificate) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>Accepts <c>sha256:HEX</c>, bare hex, upper case and the colon-separated form OpenSSL prints.</summary>
    public static bool TryParse(string? text, out string pin)
    {
        pin = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var hex = text.Trim();
        if (hex.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            hex = hex[Prefix.Length..];
        }

        hex = hex.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            return false;
        }

        pin = Prefix + hex;
        return true;
    }

    public static string Parse(string text) =>
        TryParse(text, out var pin)
            ? pin
            : throw new FormatException($"'{text}' is not a CA fingerprint: expected sha256: and 64 hex digits, as 'canopy up' and 'canopy ca show' print it.");

    /// <summary>A short form for prompts and logs: the first 16 hex digits.</summary>
    public static string Short(string pin) => pin.Length > Prefix.Length + 16 ? pin[..(Prefix.Length + 16)] + "…" : pin;
}
