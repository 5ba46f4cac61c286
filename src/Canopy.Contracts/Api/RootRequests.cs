namespace Canopy.Contracts.Api;

/// <summary><c>POST /api/auth/refresh</c> may carry the refresh token in the body instead of the Authorization header.</summary>
public sealed record RefreshRequest(string? RefreshToken);

/// <summary><c>PUT /api/user/{name}</c>: only the fields given change.</summary>
public sealed record UpdateUserRequest(string? Password, IReadOnlyList<string>? Roles, string? Email)
{
    /// <summary>Where <see cref="Roles"/> apply (name or id); the caller's own organization when not given (Oakestra's rule).</summary>
    public string? Organization { get; init; }
}

/// <summary><c>PUT /api/application/{id}</c>: only the fields given change (Oakestra's field names).</summary>
public sealed record ApplicationUpdateRequest(string? ApplicationName, string? ApplicationNamespace, string? ApplicationDesc);
