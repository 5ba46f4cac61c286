using Canopy.Contracts;

namespace Canopy.Hosting;

/// <summary>A generated credential kept in a file of its own (mode 0600): made at the first start, read at every later one.</summary>
public static class TokenFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <returns>The token, and whether this call made it (for a host to print it once).</returns>
    public static (string Token, bool Created) LoadOrCreate(string file, string prefix)
    {
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: >= Secrets.MinLength } kept)
        {
            return (kept, false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var token = Secrets.New(prefix);
        var temp = file + ".tmp";
        File.Delete(temp);
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(token);
        }

        File.Move(temp, file, overwrite: true);
        return (token, true);
    }
}
