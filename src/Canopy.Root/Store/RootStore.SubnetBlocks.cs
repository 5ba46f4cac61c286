using Canopy.Core.Addressing;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    public Task<IReadOnlyList<string>> ListSubnetBlocksAsync(string clusterId, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<string>>(c => Query(c, null,
            "SELECT block FROM subnet_blocks WHERE cluster_id = @cid ORDER BY granted_at, rowid", r => r.GetString(0), ("@cid", clusterId)), ct);

    public Task<SubnetBlockGrant> GrantSubnetBlockAsync(
        string clusterId, Func<int, bool> wanted, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            var blocks = Query(c, tx, "SELECT block FROM subnet_blocks WHERE cluster_id = @cid ORDER BY granted_at, rowid",
                r => r.GetString(0), ("@cid", clusterId));
            if (!wanted(blocks.Count))
            {
                return new SubnetBlockGrant(blocks, null, false);
            }

            // Every block ever granted stays taken, whoever holds it: a cluster's nodes may still use its subnets.
            var taken = Query(c, tx, "SELECT block FROM subnet_blocks", r => r.GetString(0));
            if (SubnetPlan.AllocateBlock(taken) is not { } block)
            {
                return new SubnetBlockGrant(blocks, null, true);
            }

            Execute(c, tx, "INSERT INTO subnet_blocks (block, cluster_id, granted_at) VALUES (@block, @cid, @at)",
                ("@block", block), ("@cid", clusterId), ("@at", Time(now)));
            return new SubnetBlockGrant([.. blocks, block], block, false);
        }, ct);
}
