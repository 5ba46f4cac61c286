namespace Canopy.Security;

/// <summary>Writes key and certificate files the way readers (Mosquitto reloading, a second replica) never see half of one.</summary>
public static class PemFiles
{
    public static void Write(string path, string pem, bool secret)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, pem);
        File.SetUnixFileMode(temp, Mode(secret));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>0600 for a key, 0644 for a certificate.</summary>
    public static UnixFileMode Mode(bool secret) => secret
        ? UnixFileMode.UserRead | UnixFileMode.UserWrite
        : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
}
