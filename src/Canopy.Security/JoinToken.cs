namespace Canopy.Security;

/// <summary>
/// A join token as a cluster or node operator pastes it: the secret the parent checks, then <c>.</c> and the pin of the
/// parent's CA (<see cref="CaPin"/>), so the joiner verifies the parent before it sends the secret or anything else.
/// A token without a pin is the plain secret of earlier versions; a joiner accepts it only over plain HTTP or with a pin
/// given separately.
/// </summary>
public sealed record JoinToken(string Secret, string? CaPin)
{
    private const char Separator = '.';

    public static JoinToken Parse(string token)
    {
        var text = token.Trim();
        var at = text.LastIndexOf(Separator);
        if (at > 0 && Security.CaPin.TryParse(text[(at + 1)..], out var pin))
        {
            return new JoinToken(text[..at], pin);
        }

        return new JoinToken(text, null);
    }

    public static string Format(string secret, string caPin) => secret + Separator + caPin;

    public override string ToString() => CaPin is null ? Secret : Format(Secret, CaPin);
}
