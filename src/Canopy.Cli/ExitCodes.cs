namespace Canopy.Cli;

/// <summary>Every exit code of <c>canopy</c>, in one table.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidInput = 2;
    public const int NotLoggedIn = 3;
    public const int NotFound = 4;
    public const int ServerUnreachable = 5;
    public const int ServerError = 6;
    public const int Timeout = 7;
    public const int StartFailed = 8;
}
