using System.Data.Common;

namespace Canopy.Root.Replicas;

/// <summary>
/// The fencing token of the leader-only work in progress: the scheduler, the failover and the hand-back run inside
/// <see cref="Enter"/>, and the PostgreSQL store calls <see cref="CheckAsync"/> inside each write transaction, so a write of a
/// leader that has lost its term (paused, cut from the database) is refused by the database itself, whatever it believes.
/// </summary>
internal static class LeaderFence
{
    /// <summary>The advisory lock key of root leadership (any number below 2^31; <see cref="CheckSql"/> spells it too).</summary>
    public const long LockKey = 1128353359;

    private static readonly AsyncLocal<long?> Fenced = new();

    /// <summary>The term the current async flow acts for; null outside leader-only work.</summary>
    public static long? CurrentTerm => Fenced.Value;

    /// <summary>Marks the rest of the calling async flow as leader-only work of <paramref name="term"/>.</summary>
    public static void Enter(LeaderTerm term) => Fenced.Value = term.Number;

    /// <summary>
    /// The term passes while it is the current one AND the session that won it still holds the lock (a dead leader's term lives on
    /// in the table until the next leader bumps it). The row is read FOR SHARE: a new leader's bump waits for this transaction.
    /// </summary>
    public const string CheckSql = """
        SELECT l.term FROM root_leadership l
        WHERE l.id = 1 AND l.term = @fenced_term
          AND EXISTS (SELECT 1 FROM pg_locks k
                      WHERE k.locktype = 'advisory' AND k.granted AND k.pid = l.leader_pid
                        AND k.classid = 0 AND k.objid = 1128353359 AND k.objsubid = 1)
        FOR SHARE OF l
        """;

    /// <summary>
    /// Inside a PostgreSQL write transaction of leader-only work: throws <see cref="NotLeaderException"/> unless its term is still
    /// the leader's. Does nothing outside leader-only work.
    /// </summary>
    public static async Task CheckAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        if (CurrentTerm is not { } term)
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = CheckSql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "fenced_term";
        parameter.Value = term;
        command.Parameters.Add(parameter);
        if (await command.ExecuteScalarAsync(ct) is null)
        {
            throw new NotLeaderException($"term {term} is over: another root replica leads now; this write of the old leader is refused");
        }
    }
}

/// <summary>A leader-only write by a replica that no longer leads.</summary>
public sealed class NotLeaderException(string message) : Exception(message);
