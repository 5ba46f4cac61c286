namespace Canopy.Mqtt.Tests;

public sealed class PacketIdAllocatorTests
{
    [Fact]
    public void Hands_out_every_id_from_1_to_65535_once_then_refuses()
    {
        var allocator = new PacketIdAllocator();
        var seen = new HashSet<ushort>();
        for (var i = 0; i < 65_535; i++)
        {
            seen.Add(allocator.Allocate()).ShouldBeTrue();
        }

        seen.ShouldNotContain((ushort)0);
        Should.Throw<InvalidOperationException>(() => allocator.Allocate());

        allocator.Release(4711);
        allocator.Allocate().ShouldBe((ushort)4711);
    }

    [Fact]
    public void Wraps_from_65535_to_1_and_skips_ids_in_use()
    {
        var allocator = new PacketIdAllocator(next: 65_534);
        allocator.Allocate().ShouldBe((ushort)65_534);
        allocator.Allocate().ShouldBe((ushort)65_535);
        allocator.Allocate().ShouldBe((ushort)1);
        allocator.Release(65_535);
        allocator.Allocate().ShouldBe((ushort)2);
        allocator.InUse.ShouldBe(3);
    }
}
