namespace Canopy.Core.Descriptors;

public static class JobNames
{
    /// <summary>Oakestra's <c>job_name</c>: <c>app.appns.service.servicens</c>.</summary>
    public static string For(string appName, string appNamespace, string serviceName, string serviceNamespace) =>
        $"{appName}.{appNamespace}.{serviceName}.{serviceNamespace}";
}
