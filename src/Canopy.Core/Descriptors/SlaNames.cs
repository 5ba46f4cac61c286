namespace Canopy.Core.Descriptors;

/// <summary>
/// Oakestra's rule for application, microservice and namespace names: they become parts of the dotted
/// <c>job_name</c> (<see cref="JobNames"/>), so a dot or any other separator inside one would make it ambiguous.
/// </summary>
public static class SlaNames
{
    public const string Pattern = "^[a-zA-Z0-9]{1,30}$";
    public const int MaxLength = 30;

    public static bool IsValid(string? name) =>
        name is { Length: >= 1 and <= MaxLength } && name.All(char.IsAsciiLetterOrDigit);

    /// <summary>Why <paramref name="name"/> is not a valid name, as an instruction; null when it is valid.</summary>
    public static string? Problem(string name)
    {
        if (IsValid(name))
        {
            return null;
        }

        if (name.Length == 0)
        {
            return "must not be empty; use 1 to 30 letters and digits";
        }

        if (name.Length > MaxLength)
        {
            return $"\"{name}\" is {name.Length} characters long; use at most 30 letters and digits";
        }

        return $"\"{name}\" is not a valid name; use 1 to 30 letters and digits only (no dots, dashes, underscores or spaces)";
    }
}
