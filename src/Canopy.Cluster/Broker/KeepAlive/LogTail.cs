using System.Text;

namespace Canopy.Cluster.Broker.KeepAlive;

/// <summary>The lines a file gained since the last read (Mosquitto writes its log line by line); starts over when it shrinks.</summary>
internal sealed class LogTail(string path, long start)
{
    private readonly StringBuilder _partial = new();
    private long _offset = start;

    public IEnumerable<string> ReadNew()
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < _offset)
        {
            _offset = 0;
            _partial.Clear();
        }

        stream.Seek(_offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        _offset = stream.Position;
        _partial.Append(text);
        var all = _partial.ToString();
        var end = all.LastIndexOf('\n');
        if (end < 0)
        {
            return [];
        }

        _partial.Clear().Append(all.AsSpan(end + 1));
        return all[..end].Split('\n');
    }
}
