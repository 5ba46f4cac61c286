using System.Formats.Tar;
using System.Text.Json;
using Canopy.NodeEngine.Containerd;

namespace Canopy.NodeEngine.Tests.Containerd;

public sealed class PauseImageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnp-pause-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_archive_is_a_docker_archive_with_busybox_and_the_sleeping_entrypoint()
    {
        Support.Prerequisites.Check();
        var archive = Path.Combine(_dir, "pause.tar");

        PauseImage.WriteArchive(PauseImage.DefaultBusybox, "amd64", archive);

        var files = ReadTar(File.OpenRead(archive));
        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        var entry = manifest.RootElement[0];
        entry.GetProperty("RepoTags")[0].GetString().ShouldBe("canopy/pause:local");
        using var config = JsonDocument.Parse(files[entry.GetProperty("Config").GetString()!]);
        config.RootElement.GetProperty("architecture").GetString().ShouldBe("amd64");
        config.RootElement.GetProperty("config").GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString())
            .ShouldBe(PauseImage.Entrypoint);
        var layer = files[entry.GetProperty("Layers")[0].GetString()!];
        var names = ListTar(new MemoryStream(layer));
        names.ShouldContain("bin/busybox");
        names.ShouldContain("bin/sh -> busybox");
        names.ShouldContain("bin/sleep -> busybox");
    }

    [Fact]
    public void Two_builds_give_the_same_bytes_so_every_node_has_the_same_image_id()
    {
        Support.Prerequisites.Check();
        PauseImage.WriteArchive(PauseImage.DefaultBusybox, "amd64", Path.Combine(_dir, "a.tar"));
        PauseImage.WriteArchive(PauseImage.DefaultBusybox, "amd64", Path.Combine(_dir, "b.tar"));

        File.ReadAllBytes(Path.Combine(_dir, "a.tar")).ShouldBe(File.ReadAllBytes(Path.Combine(_dir, "b.tar")));
    }

    [Fact]
    public void A_dynamically_linked_busybox_is_refused_with_what_to_install()
    {
        var dynamic = Path.Combine(_dir, "busybox");
        File.Copy("/bin/ls", dynamic);
        var archive = Path.Combine(_dir, "pause.tar");

        var refused = Should.Throw<InvalidOperationException>(() => PauseImage.WriteArchive(dynamic, "amd64", archive));

        refused.Message.ShouldContain($"{dynamic} is dynamically linked");
        refused.Message.ShouldContain("apt-get install busybox-static");
        File.Exists(archive).ShouldBeFalse();
        PauseImage.Problem(Path.Combine(_dir, "missing")).ShouldNotBeNull().ShouldContain("missing is missing");
        File.WriteAllText(Path.Combine(_dir, "script"), "#!/bin/sh\necho not a binary\n");
        PauseImage.Problem(Path.Combine(_dir, "script")).ShouldNotBeNull().ShouldContain("is not an ELF executable");
    }

    private static Dictionary<string, byte[]> ReadTar(Stream stream)
    {
        var files = new Dictionary<string, byte[]>();
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                files[entry.Name] = copy.ToArray();
            }
        }

        return files;
    }

    private static List<string> ListTar(Stream stream)
    {
        var names = new List<string>();
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.EntryType == TarEntryType.SymbolicLink ? $"{entry.Name} -> {entry.LinkName}" : entry.Name);
        }

        return names;
    }
}
