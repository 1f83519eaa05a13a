using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>Where a job stands. Wire values are lower case (<c>cancelled</c> with two l's for jobs); reading ignores case.</summary>
[JsonConverter(typeof(WireEnumConverter<JobStatus>))]
public enum JobStatus
{
    /// <summary>A status this library does not know.</summary>
    [JsonStringEnumMemberName("unknown"), WireUnknown] Unknown = 0,
    /// <summary>Accepted, not yet queued.</summary>
    [JsonStringEnumMemberName("enqueued")] Enqueued = 1,
    /// <summary>Running on its devices.</summary>
    [JsonStringEnumMemberName("running")] Running = 2,
    /// <summary>Done on every device it targets (some device runs may have failed; see the statistics).</summary>
    [JsonStringEnumMemberName("completed")] Completed = 3,
    /// <summary>The job as a whole failed.</summary>
    [JsonStringEnumMemberName("failed")] Failed = 4,
    /// <summary>Cancelled by a caller.</summary>
    [JsonStringEnumMemberName("cancelled"), WireAlias("canceled")] Cancelled = 5,
    /// <summary>Waiting for its start time.</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled = 6,
    /// <summary>Waiting for a slot (the hub runs few jobs at once).</summary>
    [JsonStringEnumMemberName("queued")] Queued = 7,
}
