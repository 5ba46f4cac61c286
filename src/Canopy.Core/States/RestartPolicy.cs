using System.Text.Json.Serialization;

namespace Canopy.Core.States;

/// <summary>What the node engine does when an instance's process or container ends.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RestartPolicy>))]
public enum RestartPolicy
{
    /// <summary>Restart whatever the exit code (the default).</summary>
    [JsonStringEnumMemberName("always")] Always,

    /// <summary>Restart only after a non-zero exit or a kill.</summary>
    [JsonStringEnumMemberName("on-failure")] OnFailure,

    /// <summary>Never restart; the instance stays DEAD (or COMPLETED after exit 0 with one_shot).</summary>
    [JsonStringEnumMemberName("never")] Never,
}
