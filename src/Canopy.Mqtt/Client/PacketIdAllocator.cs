namespace Canopy.Mqtt;

/// <summary>Hands out packet identifiers 1..65535, wrapping around and skipping identifiers still in use. Not thread-safe.</summary>
internal sealed class PacketIdAllocator(ushort next = 1)
{
    private readonly HashSet<ushort> _inUse = [];
    private ushort _next = next == 0 ? (ushort)1 : next;

    public int InUse => _inUse.Count;

    public ushort Allocate()
    {
        if (_inUse.Count >= ushort.MaxValue)
        {
            throw new InvalidOperationException("All 65535 MQTT packet identifiers are in use.");
        }

        while (true)
        {
            var id = _next;
            _next = id == ushort.MaxValue ? (ushort)1 : (ushort)(id + 1);
            if (_inUse.Add(id))
            {
                return id;
            }
        }
    }

    public void Release(ushort id) => _inUse.Remove(id);

    public void Clear() => _inUse.Clear();
}
