namespace Canopy.Contracts.Api;

/// <summary>Answer of <c>POST /api/service/</c>, Oakestra's shape: the last created service id and one entry per microservice.</summary>
public sealed record ServiceDeploymentResponse(
    string? JobId, IReadOnlyList<DeployedService> DeployedServices, IReadOnlyList<FailedService> FailedServices)
{
    /// <summary>What the root noticed in the descriptor: fields accepted but not honoured, a runtime Canopy does not run.</summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}

public sealed record DeployedService(string ServiceName, int Status);

public sealed record FailedService(string ServiceName, string Message, int Status);
