using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>How a job fares across its devices.</summary>
public sealed class DeviceJobStatistics
{
    /// <summary>Devices the job targets.</summary>
    [JsonPropertyName("deviceCount")]
    public int DeviceCount { get; set; }

    /// <summary>Devices where it failed.</summary>
    [JsonPropertyName("failedCount")]
    public int FailedCount { get; set; }

    /// <summary>Devices where it succeeded.</summary>
    [JsonPropertyName("succeededCount")]
    public int SucceededCount { get; set; }

    /// <summary>Devices where it is running.</summary>
    [JsonPropertyName("runningCount")]
    public int RunningCount { get; set; }

    /// <summary>Devices where it has not run yet.</summary>
    [JsonPropertyName("pendingCount")]
    public int PendingCount { get; set; }

    /// <inheritdoc />
    public override string ToString()
        => $"{DeviceCount} devices: {SucceededCount} succeeded, {FailedCount} failed, {RunningCount} running, {PendingCount} pending";
}
