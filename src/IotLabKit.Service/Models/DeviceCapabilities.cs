using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>What a device is besides a plain device.</summary>
public sealed class DeviceCapabilities
{
    /// <summary>True for an IoT Edge device.</summary>
    [JsonPropertyName("iotEdge")]
    public bool IotEdge { get; set; }

    /// <inheritdoc />
    public override string ToString() => IotEdge ? "IotEdge" : "None";
}
