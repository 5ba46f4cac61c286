namespace Canopy.Core.Descriptors.Tests;

/// <summary>The descriptor files copied next to the test assembly (see Slas/README.md for where each comes from).</summary>
internal static class SlaFiles
{
    public static string Directory(string kind) => Path.Combine(AppContext.BaseDirectory, "Descriptors", "Slas", kind);

    public static string Read(string kind, string name) => File.ReadAllText(Path.Combine(Directory(kind), name));

    public static TheoryData<string> Names(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory(kind), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }
}
