using System.Text.Json.Nodes;

namespace Canopy.Core.Resources;

/// <summary>
/// Folds the resources of a cluster's active workers into the one record the cluster reports to the root
/// (Oakestra's resource-management rules).
/// </summary>
public static class ResourceAggregator
{
    public static JsonObject Aggregate(IEnumerable<JsonObject> workers) => throw new NotImplementedException();
}
