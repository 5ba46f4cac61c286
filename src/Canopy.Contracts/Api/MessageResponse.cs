namespace Canopy.Contracts.Api;

/// <summary>Oakestra's <c>{"message": "..."}</c> answer of operations that return no document (deletes).</summary>
public sealed record MessageResponse(string Message);
