using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>What a job does. Wire values are camelCase (<c>scheduleUpdateTwin</c>); reading ignores case.</summary>
[JsonConverter(typeof(WireEnumConverter<JobType>))]
public enum JobType
{
    /// <summary>A job type this library does not know (the hub has more, such as backup jobs).</summary>
    [JsonStringEnumMemberName("unknown"), WireUnknown] Unknown = 0,
    /// <summary>A bulk export of device identities.</summary>
    [JsonStringEnumMemberName("export")] ExportDevices = 1,
    /// <summary>A bulk import of device identities.</summary>
    [JsonStringEnumMemberName("import")] ImportDevices = 2,
    /// <summary>A scheduled direct method on many devices.</summary>
    [JsonStringEnumMemberName("scheduleDeviceMethod")] ScheduleDeviceMethod = 3,
    /// <summary>A scheduled twin update on many devices (some documentation spells it <c>scheduleTwinUpdate</c>).</summary>
    [JsonStringEnumMemberName("scheduleUpdateTwin"), WireAlias("scheduleTwinUpdate")] ScheduleUpdateTwin = 4,
}
