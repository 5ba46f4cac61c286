using System.Net;

namespace Canopy.Root.Auth;

/// <summary>
/// Slows password guessing without a lockout an attacker could use. Failed logins are counted per client address (any user) and per
/// user at each address; past a few free failures each further attempt from there must wait, 1 s doubling to 5 min, and is answered
/// 429 until then. A user who collects many failures from everywhere (a spread-out attack) gets one free try per address instead of
/// five. Nothing blocks the user as such: the Admin at another address still logs in while an attacker's address waits. Counts live
/// in memory and fade after 15 quiet minutes.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    public const int AddressAllowance = 10;
    public const int UserAllowance = 5;
    public const int UnderAttack = 20;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Quiet = TimeSpan.FromMinutes(15);
    private const int PruneAbove = 50_000;

    private readonly Dictionary<string, Failures> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long the caller must still wait before this attempt is looked at; zero to go ahead.</summary>
    public TimeSpan Wait(string user, IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var userAllowance = Count(UserKey(user), now) >= UnderAttack ? 1 : UserAllowance;
            var byAddress = WaitOf(AddressKey(address), AddressAllowance, now);
            var byUser = WaitOf(PairKey(user, address), userAllowance, now);
            return byAddress > byUser ? byAddress : byUser;
        }
    }

    public void Failed(string user, IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_failures.Count > PruneAbove)
            {
                Prune(now);
            }

            foreach (var key in new[] { AddressKey(address), PairKey(user, address), UserKey(user) })
            {
                var count = Count(key, now);
                _failures[key] = new Failures(count + 1, now);
            }
        }
    }

    /// <summary>The right password at this address forgives this user's failures here (not the address's: an attacker with an account of
    /// their own must not reset their address by logging in between guesses).</summary>
    public void Succeeded(string user, IPAddress? address)
    {
        lock (_lock)
        {
            _failures.Remove(PairKey(user, address));
        }
    }

    /// <summary>The delay after <paramref name="failures"/> failures with <paramref name="allowance"/> free ones.</summary>
    public static TimeSpan Delay(int failures, int allowance)
    {
        if (failures < allowance)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(failures - allowance, 16);
        var delay = TimeSpan.FromSeconds(1 << exponent);
        return delay > MaxDelay ? MaxDelay : delay;
    }

    private TimeSpan WaitOf(string key, int allowance, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var entry) || now - entry.Last >= Quiet)
        {
            return TimeSpan.Zero;
        }

        var left = entry.Last + Delay(entry.Count, allowance) - now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private int Count(string key, DateTimeOffset now) =>
        _failures.TryGetValue(key, out var entry) && now - entry.Last < Quiet ? entry.Count : 0;

    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _failures.Where(f => now - f.Value.Last >= Quiet).Select(f => f.Key).ToList())
        {
            _failures.Remove(key);
        }
    }

    private static string AddressKey(IPAddress? address) => "a:" + Describe(address);

    private static string PairKey(string user, IPAddress? address) => "p:" + Describe(address) + "|" + user;

    private static string UserKey(string user) => "u:" + user;

    /// <summary>An IPv4 client seen over IPv6 is the same client.</summary>
    private static string Describe(IPAddress? address) =>
        address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private sealed record Failures(int Count, DateTimeOffset Last);
}
