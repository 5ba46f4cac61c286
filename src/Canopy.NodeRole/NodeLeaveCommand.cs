using Canopy.NodeEngine;
using Canopy.NodeEngine.ClusterLink;
using Microsoft.Extensions.Hosting;

namespace Canopy.NodeRole;

/// <summary><c>--leave</c>: the node leaves its cluster for good and removes what it created, then the process exits.</summary>
public static class NodeLeaveCommand
{
    /// <returns>0; a refusal or a failure to start throws.</returns>
    /// <exception cref="NodeRoleException">The node did not leave; the message says why.</exception>
    public static async Task<int> RunAsync(NodeEngineOptions options, Func<IHost> createHost, CancellationToken ct)
    {
        if (NodeLeave.RefusalFor(options.DataDir) is { } refusal)
        {
            throw new NodeRoleException($"The node did not leave: {refusal}.", NodeRoleException.InvalidInput);
        }

        NodeLeaveResult result;
        try
        {
            result = await NodeLeave.RunAsync(createHost(), ct);
        }
        catch (InvalidOperationException e)
        {
            throw new NodeRoleException($"The node did not leave: {e.Message}", NodeRoleException.StartFailed);
        }

        if (result.ClusterProblem is { } problem)
        {
            Console.Error.WriteLine($"warning: the cluster was not told ({problem}); it will see node {result.NodeName} as lost and move its instances.");
        }
        else
        {
            Console.Out.WriteLine($"Node {result.NodeName} left the cluster at {options.ClusterUrl}; its instances move to other nodes.");
        }

        Console.Out.WriteLine($"Removed {result.InstancesRemoved} instance(s), bridge {result.Bridge} with its CNI rules, and {result.DataDir}.");
        return 0;
    }
}
