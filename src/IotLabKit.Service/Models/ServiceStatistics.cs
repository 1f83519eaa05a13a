using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>Service-wide figures (<c>GET /statistics/service</c>).</summary>
public sealed class ServiceStatistics
{
    /// <summary>Devices connected right now.</summary>
    [JsonPropertyName("connectedDeviceCount")]
    public long ConnectedDeviceCount { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{ConnectedDeviceCount} devices connected";
}
