namespace Canopy.NodeRole;

/// <summary>A failure of the node role to report as one clear message with an exit code of <c>canopy</c>'s table.</summary>
public sealed class NodeRoleException(string message, int exitCode) : Exception(message)
{
    /// <summary><c>canopy</c>'s ExitCodes.InvalidInput: a flag, variable or config file is wrong.</summary>
    public const int InvalidInput = 2;

    /// <summary><c>canopy</c>'s ExitCodes.StartFailed.</summary>
    public const int StartFailed = 8;

    public int ExitCode { get; } = exitCode;
}
