using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>Why a job's run on a device failed.</summary>
public sealed class DeviceJobError
{
    /// <summary>The error code, such as <c>DeviceNotOnline</c>.</summary>
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    /// <summary>The hub's description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Description}";
}
