namespace Canopy.Cli;

/// <summary>A failure to report to the user as one clear message (no stack trace) with an exit code from <see cref="ExitCodes"/>.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
