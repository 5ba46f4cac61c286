using System.Text.Json;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Root.Store;

namespace Canopy.Root.Deployments;

/// <summary>Reads the stored SLA microservice and builds what clusters and nodes are sent.</summary>
internal static class ServiceSpecs
{
    public static SlaMicroservice Read(ServiceRecord service) =>
        JsonSerializer.Deserialize<SlaMicroservice>(service.Microservice, CanopyJson.Options)
        ?? throw new InvalidDataException($"service {service.Id} has no stored microservice");

    public static ServiceSpec Build(ServiceRecord service)
    {
        var ms = Read(service);
        return new ServiceSpec
        {
            ServiceId = service.Id,
            JobName = service.JobName,
            AppName = service.AppName,
            AppNs = service.AppNs,
            ServiceName = service.ServiceName,
            ServiceNs = service.ServiceNs,
            Virtualization = ms.NormalizedVirtualization() ?? ms.Virtualization,
            Code = ms.Code,
            Arch = ms.NormalizedArch(),
            VmImages = ms.VmImages ?? [],
            Cmd = ms.Cmd ?? [],
            Args = ms.Args ?? [],
            Environment = ms.Environment ?? [],
            Memory = ms.Memory,
            Vcpus = ms.Vcpus,
            Vgpus = ms.Vgpus,
            Storage = ms.Storage,
            Port = ms.Port,
            OneShot = ms.OneShot,
            Privileged = ms.Privileged,
            RestartPolicy = ms.RestartPolicyOrDefault(),
            Constraints = ms.Constraints ?? [],
            RrIp = service.RrIp,
            ClosestIp = service.ClosestIp,
        };
    }
}
