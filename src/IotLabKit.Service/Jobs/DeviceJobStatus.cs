using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>Where a job stands on one device. Wire values are lower case (<c>canceled</c> with one l); reading ignores case.</summary>
[JsonConverter(typeof(WireEnumConverter<DeviceJobStatus>))]
public enum DeviceJobStatus
{
    /// <summary>Not yet run on this device.</summary>
    [JsonStringEnumMemberName("pending")] Pending = 0,
    /// <summary>Waiting for the job's start time.</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled = 1,
    /// <summary>Running on this device.</summary>
    [JsonStringEnumMemberName("running")] Running = 2,
    /// <summary>Done on this device.</summary>
    [JsonStringEnumMemberName("completed")] Completed = 3,
    /// <summary>Failed on this device (see <see cref="DeviceJob.Error"/>).</summary>
    [JsonStringEnumMemberName("failed")] Failed = 4,
    /// <summary>The job was cancelled before it ran here.</summary>
    [JsonStringEnumMemberName("canceled"), WireAlias("cancelled")] Canceled = 5,
}
