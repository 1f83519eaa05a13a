using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>Whether a device may connect. Wire values <c>enabled</c> / <c>disabled</c>.</summary>
[JsonConverter(typeof(WireEnumConverter<DeviceStatus>))]
public enum DeviceStatus
{
    /// <summary>The device may connect.</summary>
    [JsonStringEnumMemberName("enabled")] Enabled = 0,
    /// <summary>The device may not connect.</summary>
    [JsonStringEnumMemberName("disabled")] Disabled = 1,
}
