using Canopy.Contracts;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes;

internal abstract partial class RuntimeBase<TInstance, TState>
{
    /// <summary>
    /// Loads and holds every instance directory a previous node engine left that is not held yet, and hands each to
    /// <paramref name="recover"/> under its gate. An error <paramref name="isTransient"/> accepts is logged and ends that
    /// instance's recovery only. Returns how many <paramref name="recover"/> said true for.
    /// </summary>
    protected async Task<int> TakeOverDirectoriesAsync(
        Func<TInstance, CancellationToken, Task<bool>> recover, Func<Exception, bool> isTransient, string action, CancellationToken ct)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories(_instancesDir))
        {
            ct.ThrowIfCancellationRequested();
            if (LoadDirectory(dir) is not { } instance || !Instances.TryAdd(instance.Key, instance))
            {
                continue;
            }

            await instance.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (await recover(instance, ct).ConfigureAwait(false))
                {
                    count++;
                }
            }
            catch (Exception e) when (isTransient(e))
            {
                Log.ActionFailed(e, instance.Key.ToString(), action);
            }
            finally
            {
                instance.Gate.Release();
            }
        }

        return count;
    }

    /// <summary>Writes state.json atomically (write + rename): a crash mid-write must not lose how to find a running instance.</summary>
    protected void SaveState(TInstance instance)
    {
        var paths = instance.Paths;
        if (instance.Removed || !Directory.Exists(paths.Dir))
        {
            return;
        }

        try
        {
            var temp = paths.State + ".tmp";
            File.WriteAllBytes(temp, NodeJson.SerializeToUtf8(instance.ToState()));
            File.Move(temp, paths.State, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.ActionFailed(e, instance.Key.ToString(), "saving state.json");
        }
    }

    protected void DeleteDirectory(TInstance instance)
    {
        try
        {
            if (Directory.Exists(instance.Paths.Dir))
            {
                Directory.Delete(instance.Paths.Dir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.ActionFailed(e, instance.Key.ToString(), "deleting the instance directory");
        }
    }

    /// <summary>Workloads write their logs themselves and never trim them; past the limit one is copied to <c>.1</c> and truncated in place.</summary>
    protected void RotateLogs()
    {
        foreach (var (key, instance) in Instances)
        {
            try
            {
                if (LogFiles.RotateIfLarger(instance.Paths.Log, instance.Paths.RotatedLog, Options.LogMaxBytes))
                {
                    Log.Rotated(key.ToString());
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed meanwhile, or a transient error: the next tick tries again.
            }
        }
    }

    /// <summary>Without its secrets when the node's key cannot open them (the key file was replaced): a restart then lacks them.</summary>
    private ServiceSpec? OpenSecrets(ServiceSpec? spec, string dir)
    {
        try
        {
            return spec?.FromStored(Secrets.Open);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            Log.ActionFailed(e, Path.GetFileName(dir), "opening its secrets (sealed with another secrets.key); it goes on without them");
            return spec! with { SealedSecrets = null };
        }
    }

    /// <summary>The instance a directory holds, with its last state; null (and logged) when it holds none that is not held already.</summary>
    private TInstance? LoadDirectory(string dir)
    {
        if (!InstanceKey.TryParse(Path.GetFileName(dir), out var key))
        {
            Log.SkippedDirectory(dir, "not an instance name");
            return null;
        }

        if (Instances.ContainsKey(key))
        {
            return null;
        }

        var spec = OpenSecrets(ReadJson<ServiceSpec>(Path.Combine(dir, "spec.json")), dir);
        if (spec is null)
        {
            Log.SkippedDirectory(dir, "no readable spec.json");
            return null;
        }

        var instance = NewInstance(key, spec);
        if (ReadJson<TState>(instance.Paths.State) is { } state)
        {
            instance.Load(state);
        }

        return instance;
    }

    private static T? ReadJson<T>(string path)
        where T : class
    {
        try
        {
            return File.Exists(path) ? NodeJson.Deserialize<T>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
