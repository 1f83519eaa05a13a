using System.Text.Json;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>A job's run on one device: an item of <c>SELECT * FROM devices.jobs</c>.</summary>
public sealed class DeviceJob
{
    /// <summary>The device.</summary>
    [JsonPropertyName("deviceId")]
    public string DeviceId { get; set; } = "";

    /// <summary>The job.</summary>
    [JsonPropertyName("jobId")]
    public string JobId { get; set; } = "";

    /// <summary>What the job does.</summary>
    [JsonPropertyName("jobType")]
    public JobType JobType { get; set; }

    /// <summary>Where the job stands on this device.</summary>
    [JsonPropertyName("status")]
    public DeviceJobStatus Status { get; set; }

    /// <summary>When the run started (UTC).</summary>
    [JsonPropertyName("startTimeUtc")]
    public DateTime? StartTimeUtc { get; set; }

    /// <summary>When the run ended (UTC).</summary>
    [JsonPropertyName("endTimeUtc")]
    public DateTime? EndTimeUtc { get; set; }

    /// <summary>When the run was created (UTC).</summary>
    [JsonPropertyName("createdDateTimeUtc")]
    public DateTime? CreatedDateTimeUtc { get; set; }

    /// <summary>When the run last changed (UTC).</summary>
    [JsonPropertyName("lastUpdatedDateTimeUtc")]
    public DateTime? LastUpdatedDateTimeUtc { get; set; }

    /// <summary>What came of it: the device's answer, for method jobs.</summary>
    [JsonPropertyName("outcome")]
    public DeviceJobOutcome? Outcome { get; set; }

    /// <summary>Why the run failed, when it did.</summary>
    [JsonPropertyName("error")]
    public DeviceJobError? Error { get; set; }

    /// <summary>Members the hub sent that this type does not model; kept so nothing is lost on a round trip.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The run as JSON, in the hub's shape.</summary>
    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, indented ? ServiceJson.Indented : ServiceJson.Options);

    /// <summary>Reads a run in the hub's shape (an item of a <c>devices.jobs</c> query page read as JSON).</summary>
    /// <exception cref="JsonException">The text is not a device job.</exception>
    public static DeviceJob FromJson(string json)
        => JsonSerializer.Deserialize<DeviceJob>(json, ServiceJson.Options) ?? throw new JsonException("The JSON is null, not a device job.");

    /// <inheritdoc />
    public override string ToString() => $"{JobId} on {DeviceId}: {Status}";
}
