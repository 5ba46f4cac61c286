namespace Canopy.Security;

/// <summary>
/// Key material that several processes of one tier must hold identically (root replicas on one database, a cluster moved to
/// another machine): taken once from another data dir, or a copy of its files, into a new one. A file the new data dir lacks
/// is copied (keys mode 0600); one it has must be the same, or the start is refused: two replicas with different CAs or
/// secrets keys would each break what the other signed or sealed.
/// </summary>
public static class SharedKeyMaterial
{
    /// <summary>Copies what <paramref name="target"/> lacks; returns the files copied. Throws <see cref="InvalidOperationException"/> naming the file and the fix.</summary>
    /// <param name="option">The option the user gave <paramref name="source"/> with, for messages (e.g. <c>--replica-of</c>).</param>
    /// <param name="files">Paths relative to both directories; <c>.key</c> files are secret.</param>
    public static IReadOnlyList<string> Adopt(string source, string target, IReadOnlyList<string> files, string option)
    {
        if (!Directory.Exists(source))
        {
            throw new InvalidOperationException($"{option} {source}: no such directory; give the data dir of a running replica, or a copy of its {string.Join(", ", files)}");
        }

        var missing = files.Where(f => !File.Exists(Path.Combine(source, f))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{option} {source}: {string.Join(", ", missing)} missing there; give the data dir of a replica that has started once, or a copy of its {string.Join(", ", files)}");
        }

        var copied = new List<string>();
        foreach (var file in files)
        {
            var from = Path.Combine(source, file);
            var to = Path.Combine(target, file);
            if (File.Exists(to))
            {
                if (!File.ReadAllBytes(to).AsSpan().SequenceEqual(File.ReadAllBytes(from)))
                {
                    throw new InvalidOperationException(
                        $"{option} {source}: {to} differs from the replica's {file}; this data dir belongs to another root (or cluster). " +
                        "Start the replica with an empty data dir, or remove its copy of that file to take the replica's");
                }

                continue;
            }

            var secret = file.EndsWith(".key", StringComparison.Ordinal);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(to))!);
            var temp = to + ".tmp";
            File.Copy(from, temp, overwrite: true);
            File.SetUnixFileMode(temp, PemFiles.Mode(secret));
            File.Move(temp, to);
            copied.Add(file);
        }

        return copied;
    }
}
