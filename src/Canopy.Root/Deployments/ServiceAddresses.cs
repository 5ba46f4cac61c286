using System.Net;
using System.Net.Sockets;
using Canopy.Core.Addressing;
using Canopy.Core.Descriptors;
using Canopy.Hosting;
using Microsoft.AspNetCore.Http;

namespace Canopy.Root.Deployments;

/// <summary>A service's IPs: <c>rr_ip</c> always, <c>closest_ip</c> when the SLA asked for one.</summary>
internal sealed record ServiceIps(string RrIp, string? ClosestIp);

internal sealed record AddressRefusal(int Status, string Error);

/// <summary>
/// The service IPs of one request, decided on a stable picture (the deployment gate): every address a service names must lie
/// in the pool and belong to no other service, of the store or of the same request; a service without an <c>rr_ip</c> gets the
/// pool's next free one, avoiding every address the request names.
/// </summary>
internal sealed class ServiceAddresses(ISet<string> taken, IEnumerable<SlaAddresses?> requested)
{
    private readonly HashSet<string> _named = requested
        .SelectMany(a => (string?[])[a?.RrIp, a?.ClosestIp])
        .Where(ip => !string.IsNullOrWhiteSpace(ip)).Select(ip => ip!).ToHashSet();

    /// <summary>The refusals so far, in request order.</summary>
    public List<AddressRefusal> Refusals { get; } = [];

    /// <summary>The service's IPs, or null when one of them is refused (the reason is added to <see cref="Refusals"/>).</summary>
    /// <param name="path">The microservice's path in the request, e.g. <c>applications[0].microservices[1]</c>.</param>
    public ServiceIps? Resolve(SlaAddresses? wanted, string path)
    {
        var before = Refusals.Count;
        var rrIp = string.IsNullOrWhiteSpace(wanted?.RrIp) ? Allocate() : Claim(wanted.RrIp, "rr_ip", "or leave rr_ip out to get one", path);
        string? closestIp = null;
        if (!string.IsNullOrWhiteSpace(wanted?.ClosestIp))
        {
            closestIp = wanted.ClosestIp == rrIp
                ? Refuse(StatusCodes.Status400BadRequest,
                    $"{path}.addresses.closest_ip: {wanted.ClosestIp} is also the service's rr_ip; a service's closest_ip must be another " +
                    "address (connections to rr_ip go round robin, to closest_ip to the nearest instance)")
                : Claim(wanted.ClosestIp, "closest_ip", "or leave closest_ip out", path);
        }

        return rrIp is null || Refusals.Count > before ? null : new ServiceIps(rrIp, closestIp);
    }

    /// <summary>One problem for all refused addresses: 400 when one is outside the range or self-contradictory, 409 when they are only taken.</summary>
    public static ApiProblem Problem(IReadOnlyList<AddressRefusal> refusals)
    {
        var errors = refusals.Select(r => r.Error).ToList();
        var detail = errors.Count == 1
            ? $"The deployment is refused: {errors[0]}"
            : $"The deployment is refused: {errors.Count} service addresses cannot be used; the first: {errors[0]}";
        return refusals.Any(r => r.Status == StatusCodes.Status400BadRequest)
            ? ApiProblem.BadRequest(detail, errors)
            : new ApiProblem(StatusCodes.Status409Conflict, "Conflict", detail, errors);
    }

    private string? Claim(string wanted, string name, string alternative, string path)
    {
        var field = $"{path}.addresses.{name}";
        if (!IPAddress.TryParse(wanted, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork || !ServiceIpPool.Contains(wanted))
        {
            return Refuse(StatusCodes.Status400BadRequest,
                $"{field}: {wanted} is outside the service IP range {ServiceIpPool.Range}; name a free address in it, {alternative}");
        }

        return taken.Add(wanted)
            ? wanted
            : Refuse(StatusCodes.Status409Conflict, $"{field}: {wanted} is already the address of another service; name another one, {alternative}");
    }

    private string Allocate()
    {
        var allocated = ServiceIpPool.Allocate(new HashSet<string>(taken.Concat(_named)))
            ?? throw ApiProblem.Unavailable($"The service IP pool {ServiceIpPool.Range} is exhausted.");
        taken.Add(allocated);
        return allocated;
    }

    private string? Refuse(int status, string error)
    {
        Refusals.Add(new AddressRefusal(status, error));
        return null;
    }
}
