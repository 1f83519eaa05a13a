using System.Management.Automation;
using System.Text.Json;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// One device's part of a job (PSTypeName <c>IotLabKit.DeviceJobResult</c>): its status, the device's answer to a
/// direct method, or the error that stopped it.
/// </summary>
public sealed class DeviceJobInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.DeviceJobResult";

    /// <summary>The device.</summary>
    public string DeviceId { get; init; } = "";
    /// <summary>The job.</summary>
    public string JobId { get; init; } = "";
    /// <summary>ScheduleUpdateTwin or ScheduleDeviceMethod.</summary>
    public JobType JobType { get; init; }
    /// <summary>Pending, Running, Completed, Failed or Canceled.</summary>
    public DeviceJobStatus Status { get; init; }
    /// <summary>For method jobs that reached the device: the status code the device answered with.</summary>
    public int? MethodStatus { get; init; }
    /// <summary>For method jobs that reached the device: the payload it answered with.</summary>
    public object? MethodPayload { get; init; }
    /// <summary>Why it failed: an IoT Hub error code such as DeviceNotOnline or GatewayTimeout.</summary>
    public string? ErrorCode { get; init; }
    /// <summary>Why it failed, for a person.</summary>
    public string? ErrorDescription { get; init; }
    /// <summary>When the hub began this device's part (local time).</summary>
    public DateTime? StartTime { get; init; }
    /// <summary>When it finished (local time).</summary>
    public DateTime? EndTime { get; init; }
    /// <summary>When this result last changed (local time).</summary>
    public DateTime? LastUpdatedTime { get; init; }

    /// <summary>Wraps a device job for output.</summary>
    internal static PSObject From(DeviceJob job)
    {
        object? payload = null;
        if (job.Outcome?.DeviceMethodResponse?.GetPayloadAsJson() is { } json)
        {
            using var doc = JsonDocument.Parse(json);
            payload = PSJson.ToPSValue(doc.RootElement);
        }
        var info = new DeviceJobInfo
        {
            DeviceId = job.DeviceId,
            JobId = job.JobId,
            JobType = job.JobType,
            Status = job.Status,
            MethodStatus = job.Outcome?.DeviceMethodResponse?.Status,
            MethodPayload = payload,
            ErrorCode = job.Error?.Code,
            ErrorDescription = job.Error?.Description,
            StartTime = DeviceInfo.Local(job.StartTimeUtc),
            EndTime = DeviceInfo.Local(job.EndTimeUtc),
            LastUpdatedTime = DeviceInfo.Local(job.LastUpdatedDateTimeUtc),
        };
        var ps = PSObject.AsPSObject(info);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => $"{JobId}/{DeviceId}";
}
