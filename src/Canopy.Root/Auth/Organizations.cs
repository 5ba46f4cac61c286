namespace Canopy.Root.Auth;

/// <summary>
/// Oakestra puts users into organizations and their tokens name one. Until Canopy has organizations there is one, named
/// <c>root</c> as Oakestra's default, and every user belongs to it with their own roles.
/// </summary>
internal static class Organizations
{
    public const string DefaultName = "root";

    public static readonly string DefaultId = ObjectIds.Derived("organization", DefaultName);
}
