using Canopy.NodeRole;

namespace Canopy.Cli.Roles;

/// <summary>The node role's failures (shared with <c>canopy-node</c>) as the CLI's own: one message, the same exit code.</summary>
internal static class NodeRoleErrors
{
    public static T AsCliErrors<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (NodeRoleException e)
        {
            throw new CliException(e.Message, e.ExitCode);
        }
    }

    public static async Task<T> AsCliErrorsAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (NodeRoleException e)
        {
            throw new CliException(e.Message, e.ExitCode);
        }
    }
}
