using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Canopy.Contracts;

/// <summary>
/// The one JSON setting every Canopy wire message uses: snake_case names (Oakestra's), enums by name, nulls left out.
/// Properties with Oakestra's odd names (<c>microserviceID</c>) carry their own attribute.
/// </summary>
public static class CanopyJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>Applies Canopy's settings to options owned by a framework (ASP.NET's JSON options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

        // Under the JIT any enum is written by name; the native node (no dynamic code) gets its enums' converters from the
        // source-generated contexts (UseStringEnumConverter), which write them by name too.
        if (RuntimeFeature.IsDynamicCodeSupported)
        {
            options.Converters.Add(new JsonStringEnumConverter());
        }

        // A field given twice is ambiguous (which one counts?) and a classic way past a validator that reads the other one.
        options.AllowDuplicateProperties = false;
    }

    // Through the options' resolver chain (source-generated contexts first), never the reflection-only overloads: the
    // same path serves the JIT tiers and the native node.
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>(Options));

    public static byte[] SerializeToUtf8<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>(Options));

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, TypeInfo<T>(Options));

    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize(utf8, TypeInfo<T>(Options));

    public static T? Deserialize<T>(JsonElement element) => element.Deserialize(TypeInfo<T>(Options));

    /// <summary>The metadata <paramref name="options"/> resolve for <typeparamref name="T"/>.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    /// <summary>
    /// Canopy's settings over <paramref name="contexts"/> (searched first), then <see cref="ContractsJsonContext"/>, then, where
    /// reflection is enabled (the JIT tiers), reflection for any other type.
    /// </summary>
    public static JsonSerializerOptions Create(bool indented, params IJsonTypeInfoResolver[] contexts)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = indented };
        Configure(options);
        options.TypeInfoResolverChain.Clear();
        foreach (var context in contexts)
        {
            options.TypeInfoResolverChain.Add(context);
        }

        options.TypeInfoResolverChain.Add(ContractsJsonContext.Default);
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        }

        return options;
    }
}
