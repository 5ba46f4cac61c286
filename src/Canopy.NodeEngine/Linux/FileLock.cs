namespace Canopy.NodeEngine.Linux;

/// <summary>
/// An exclusive flock on a file, held as long as the returned stream is open: it ends with the process, however that ends,
/// so a free lock means its owner is gone. The shell's <c>flock</c> sees the same locks.
/// </summary>
internal static class FileLock
{
    /// <summary>The file opened and locked, or null when another holds it (or, without <paramref name="create"/>, it does not exist).</summary>
    public static FileStream? TryTake(string path, bool create = true)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or .NET's own shared lock on open was refused: another holds it exclusively.
            return null;
        }

        if (LibC.TryLockExclusive(file.SafeFileHandle))
        {
            return file;
        }

        file.Dispose();
        return null;
    }

    /// <summary>Tries for up to <paramref name="wait"/>: another may hold it for a moment only.</summary>
    public static FileStream? TakeWithin(string path, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (TryTake(path) is { } held)
            {
                return held;
            }

            if (DateTime.UtcNow > deadline)
            {
                return null;
            }

            Thread.Sleep(50);
        }
    }
}
