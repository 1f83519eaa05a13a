using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>What a job's run on a device produced.</summary>
public sealed class DeviceJobOutcome
{
    /// <summary>The device's answer to the job's direct method (null for twin jobs).</summary>
    [JsonPropertyName("deviceMethodResponse")]
    public CloudToDeviceMethodResult? DeviceMethodResponse { get; set; }
}
