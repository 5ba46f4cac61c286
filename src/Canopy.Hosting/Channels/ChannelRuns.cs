using System.Threading.Channels;

namespace Canopy.Hosting.Channels;

/// <summary>Messages of one kind that queued up behind each other, taken together so their handling can be batched.</summary>
public static class ChannelRuns
{
    /// <summary>
    /// <paramref name="first"/> and the items right behind it that <paramref name="belongs"/> accepts, at most <paramref name="max"/>:
    /// stops at the first item that does not belong (left in the channel), so the channel's order is kept.
    /// </summary>
    public static List<T> TakeRun<T>(this ChannelReader<T> reader, T first, int max, Func<T, bool> belongs)
    {
        var run = new List<T> { first };
        while (run.Count < max && reader.TryPeek(out var next) && belongs(next) && reader.TryRead(out next))
        {
            run.Add(next);
        }

        return run;
    }
}
