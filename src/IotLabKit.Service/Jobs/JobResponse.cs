using System.Text.Json;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>A job as the hub describes it (<c>GET /jobs/v2/{id}</c>, and the items of a job query).</summary>
public sealed class JobResponse
{
    /// <summary>The job's id.</summary>
    [JsonPropertyName("jobId")]
    public string JobId { get; set; } = "";

    /// <summary>Which devices the job targets: a WHERE condition over twins (<c>deviceId IN ['d1','d2']</c>), or <c>*</c>.</summary>
    [JsonPropertyName("queryCondition")]
    public string? QueryCondition { get; set; }

    /// <summary>When the job was created (UTC).</summary>
    [JsonPropertyName("createdTime")]
    public DateTime? CreatedTimeUtc { get; set; }

    /// <summary>When the job starts or started (UTC).</summary>
    [JsonPropertyName("startTime")]
    public DateTime? StartTimeUtc { get; set; }

    /// <summary>When the job ended (UTC), once it has.</summary>
    [JsonPropertyName("endTime")]
    public DateTime? EndTimeUtc { get; set; }

    /// <summary>How long the job may run on its devices.</summary>
    [JsonPropertyName("maxExecutionTimeInSeconds")]
    public long MaxExecutionTimeInSeconds { get; set; }

    /// <summary>What the job does.</summary>
    [JsonPropertyName("type")]
    public JobType Type { get; set; }

    /// <summary>Where the job stands.</summary>
    [JsonPropertyName("status")]
    public JobStatus Status { get; set; }

    /// <summary>The method a method job invokes.</summary>
    [JsonPropertyName("cloudToDeviceMethod")]
    public CloudToDeviceMethod? CloudToDeviceMethod { get; set; }

    /// <summary>The patch a twin job applies.</summary>
    [JsonPropertyName("updateTwin")]
    public Twin? UpdateTwin { get; set; }

    /// <summary>Why the job failed, when it did.</summary>
    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }

    /// <summary>The hub's words on the job's status.</summary>
    [JsonPropertyName("statusMessage")]
    public string? StatusMessage { get; set; }

    /// <summary>How the job fares across its devices.</summary>
    [JsonPropertyName("deviceJobStatistics")]
    public DeviceJobStatistics? DeviceJobStatistics { get; set; }

    /// <summary>The device, for jobs about one device.</summary>
    [JsonPropertyName("deviceId")]
    public string? DeviceId { get; set; }

    /// <summary>The job this one belongs to, if any.</summary>
    [JsonPropertyName("parentJobId")]
    public string? ParentJobId { get; set; }

    /// <summary>Members the hub sent that this type does not model; kept so nothing is lost on a round trip.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The job as JSON, in the hub's shape.</summary>
    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, indented ? ServiceJson.Indented : ServiceJson.Options);

    /// <summary>Reads a job in the hub's shape.</summary>
    /// <exception cref="JsonException">The text is not a job.</exception>
    public static JobResponse FromJson(string json)
        => JsonSerializer.Deserialize<JobResponse>(json, ServiceJson.Options) ?? throw new JsonException("The JSON is null, not a job.");

    /// <inheritdoc />
    public override string ToString() => $"{JobId} ({Type}, {Status})";
}
