using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Canopy.Cli.Roles;
using Canopy.Security;

namespace Canopy.Cli.Commands;

/// <summary>
/// <c>canopy ca show</c>: the root's CA fingerprint from its data dir, for an operator to hand to users and clusters; given a
/// cluster's data dir, the cluster's CA fingerprint (what its node join tokens pin).
/// </summary>
public static class CaCommands
{
    public static Command Build()
    {
        var dataDir = new Option<string?>("--data-dir", "-d")
        {
            Description = "Data dir of `canopy up` or `canopy root` (or the root's own dir), or of `canopy cluster` for the cluster's CA [default: ~/.canopy, or $CANOPY_DATA_DIR]",
        };
        var show = new Command("show", "Print the root's CA fingerprint (what `canopy login --ca-fingerprint` and cluster join tokens pin), or a cluster's (what node join tokens pin)") { dataDir };
        show.Handle((parse, _) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(dataDir) ?? Environment.GetEnvironmentVariable("CANOPY_DATA_DIR") ?? RoleConfiguration.DefaultDataDir());
            var path = new[] { Path.Combine(dir, "root", "pki"), Path.Combine(dir, "pki") }
                .Select(CertificateAuthority.CertificatePath)
                .FirstOrDefault(File.Exists)
                ?? throw new CliException(
                    $"No CA under {dir} (looked for root/pki/ca.crt and pki/ca.crt); a root or cluster creates it at its first start. Give its --data-dir.",
                    ExitCodes.NotFound);
            string pin;
            try
            {
                using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
                pin = CaPin.Of(certificate);
            }
            catch (CryptographicException e)
            {
                throw new CliException($"{path} is not a PEM certificate: {e.Message}", ExitCodes.InvalidInput);
            }

            var output = GlobalOptions.OutputOf(parse);
            if (output.IsJson)
            {
                output.Json(new { pin, certificate = path });
            }
            else
            {
                output.Info(pin);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return new Command("ca", "The root's certificate authority") { show };
    }
}
