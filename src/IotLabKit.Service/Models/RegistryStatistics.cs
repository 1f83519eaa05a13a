using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>Device counts in the identity registry (<c>GET /statistics/devices</c>).</summary>
public sealed class RegistryStatistics
{
    /// <summary>All devices.</summary>
    [JsonPropertyName("totalDeviceCount")]
    public long TotalDeviceCount { get; set; }

    /// <summary>Enabled devices.</summary>
    [JsonPropertyName("enabledDeviceCount")]
    public long EnabledDeviceCount { get; set; }

    /// <summary>Disabled devices.</summary>
    [JsonPropertyName("disabledDeviceCount")]
    public long DisabledDeviceCount { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{TotalDeviceCount} devices ({EnabledDeviceCount} enabled, {DisabledDeviceCount} disabled)";
}
