using System.Text;

namespace Canopy.Testing;

/// <summary>
/// Request bodies an attacker or a broken client sends: not JSON, JSON of the wrong shape, numbers out of range, deep
/// nesting, long strings, control characters, invalid UTF-8, mutations of a valid document. Reproducible from a seed,
/// which a failing test prints.
/// </summary>
public static class HostileBodies
{
    public sealed record Body(string Name, byte[] Bytes, string ContentType = "application/json")
    {
        public override string ToString() => $"{Name} ({Bytes.Length} bytes, {ContentType})";
    }

    /// <summary>The fixed cases, then <paramref name="random"/> random ones and mutations of <paramref name="valid"/>.</summary>
    public static IReadOnlyList<Body> Generate(int seed, int random, string? valid = null)
    {
        var bodies = new List<Body>
        {
            Json("empty", ""),
            Json("null", "null"),
            Json("number", "42"),
            Json("string", "\"x\""),
            Json("array", "[]"),
            Json("array of nulls", "[null,null]"),
            Json("unterminated", "{\"a\":"),
            Json("trailing garbage", "{} xyz"),
            Json("duplicate keys", "{\"username\":\"a\",\"username\":\"b\"}"),
            Json("huge number", "{\"replicas\":1e400,\"memory\":1e400,\"ttl_seconds\":1e400}"),
            Json("negative numbers", "{\"replicas\":-1,\"memory\":-5,\"vcpus\":-1,\"ttl_seconds\":-1,\"max_uses\":-1}"),
            Json("wrong types", "{\"username\":1,\"password\":[],\"applications\":\"x\",\"microservices\":{},\"name\":{}}"),
            Json("control characters", "{\"username\":\"a\\u0000b\",\"name\":\"\\u0007\\u001b[31m\"}"),
            Json("bom", "\uFEFF{}"),
            Json("deep arrays", new string('[', 10_000) + new string(']', 10_000)),
            Json("deep objects", string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000)),
            Json("long string", $"{{\"username\":\"{new string('a', 900_000)}\"}}"),
            Json("wide array", "[" + string.Join(',', Enumerable.Repeat("1", 200_000)) + "]"),
            new("invalid utf-8", [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
            new("form instead of json", Encoding.UTF8.GetBytes("username=Admin&password=x"), "application/x-www-form-urlencoded"),
            new("xml", Encoding.UTF8.GetBytes("<a>1</a>"), "application/xml"),
            new("json as text/plain", Encoding.UTF8.GetBytes("{}"), "text/plain"),
        };

        var rng = new Random(seed);
        for (var i = 0; i < random; i++)
        {
            bodies.Add(rng.Next(3) switch
            {
                0 => new Body($"random bytes #{i}", Bytes(rng)),
                1 => Json($"random json #{i}", RandomJson(rng, 0)),
                _ => valid is null ? Json($"random json #{i}", RandomJson(rng, 0)) : Json($"mutated valid #{i}", Mutate(rng, valid)),
            });
        }

        return bodies;
    }

    private static Body Json(string name, string text) => new(name, Encoding.UTF8.GetBytes(text));

    private static byte[] Bytes(Random rng)
    {
        var bytes = new byte[rng.Next(0, 300)];
        rng.NextBytes(bytes);
        return bytes;
    }

    private const string Noise = "{}[]\",:0-9aeE\\ ";

    private static readonly string[] Keys =
    [
        "username", "password", "organization", "name", "applications", "microservices", "application_name", "microservice_name",
        "virtualization", "code", "memory", "vcpus", "replicas", "port", "description", "ttl_seconds", "max_uses", "roles", "email",
        "sla_version", "customerID", "refresh_token", "cluster_name", "token", "secret",
    ];

    private static string RandomJson(Random rng, int depth) => (depth > 4 ? rng.Next(4) : rng.Next(7)) switch
    {
        0 => "null",
        1 => rng.Next(2) == 0 ? "true" : "false",
        2 => rng.Next(3) switch { 0 => rng.Next().ToString(), 1 => (-rng.NextDouble() * 1e12).ToString("R"), _ => "18446744073709551616" },
        3 => "\"" + new string(Enumerable.Range(0, rng.Next(0, 40)).Select(_ => (char)rng.Next(0x20, 0x7f)).Where(c => c is not ('"' or '\\')).ToArray()) + "\"",
        4 or 5 => "{" + string.Join(',', Enumerable.Range(0, rng.Next(0, 6)).Select(_ => $"\"{Keys[rng.Next(Keys.Length)]}\":{RandomJson(rng, depth + 1)}")) + "}",
        _ => "[" + string.Join(',', Enumerable.Range(0, rng.Next(0, 5)).Select(_ => RandomJson(rng, depth + 1))) + "]",
    };

    /// <summary>A few bytes of the valid document replaced, removed or doubled: mostly broken JSON, sometimes a wrong value.</summary>
    private static string Mutate(Random rng, string valid)
    {
        var text = new StringBuilder(valid);
        for (var n = rng.Next(1, 4); n > 0 && text.Length > 1; n--)
        {
            var at = rng.Next(text.Length);
            switch (rng.Next(3))
            {
                case 0:
                    text[at] = Noise[rng.Next(Noise.Length)];
                    break;
                case 1:
                    text.Remove(at, Math.Min(rng.Next(1, 20), text.Length - at));
                    break;
                default:
                    text.Insert(at, text.ToString(at, Math.Min(rng.Next(1, 20), text.Length - at)));
                    break;
            }
        }

        return text.ToString();
    }
}
