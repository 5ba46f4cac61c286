namespace Canopy.Contracts.Api;

/// <summary><c>PUT /api/v1/services/{id}/scale</c></summary>
public sealed record ScaleRequest(int Instances);

/// <summary>Answer of <c>POST /api/service/{id}/instance</c>: Oakestra's <c>{"message":"ok"}</c> plus the new instance number.</summary>
public sealed record InstanceAddedResponse(string Message, int InstanceNumber);

/// <summary><c>GET /api/v1/services/{id}/logs</c></summary>
public sealed record LogsResponse(string ServiceId, IReadOnlyList<InstanceLogs> Instances);

public sealed record InstanceLogs(int InstanceNumber, string? NodeName, string Text, string? Error = null);
