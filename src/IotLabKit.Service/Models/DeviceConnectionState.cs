using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>Whether a device is connected right now. Wire values <c>Disconnected</c> / <c>Connected</c>.</summary>
[JsonConverter(typeof(WireEnumConverter<DeviceConnectionState>))]
public enum DeviceConnectionState
{
    /// <summary>Not connected.</summary>
    [JsonStringEnumMemberName("Disconnected")] Disconnected = 0,
    /// <summary>Connected (MQTT or AMQP).</summary>
    [JsonStringEnumMemberName("Connected")] Connected = 1,
}
