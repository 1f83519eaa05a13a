using System.Management.Automation;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// A job as the cmdlets show it (PSTypeName <c>IotLabKit.Job</c>): its status, its device counts flattened for
/// tables and sorting, and what it does.
/// </summary>
public sealed class JobInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.Job";

    /// <summary>The job id.</summary>
    public string JobId { get; init; } = "";
    /// <summary>ScheduleUpdateTwin or ScheduleDeviceMethod.</summary>
    public JobType Type { get; init; }
    /// <summary>Queued, Scheduled, Running, Completed, Failed or Cancelled.</summary>
    public JobStatus Status { get; init; }
    /// <summary>True once the job is Completed, Failed or Cancelled.</summary>
    public bool IsFinished => IsFinishedStatus(Status);
    /// <summary>The condition that chose the devices.</summary>
    public string? QueryCondition { get; init; }
    /// <summary>Devices the job chose (0 until it starts).</summary>
    public int DeviceCount { get; init; }
    /// <summary>Devices done successfully.</summary>
    public int SucceededCount { get; init; }
    /// <summary>Devices that failed (or were not reached before a cancel or time-out).</summary>
    public int FailedCount { get; init; }
    /// <summary>Devices with a call in flight.</summary>
    public int RunningCount { get; init; }
    /// <summary>Devices not reached yet.</summary>
    public int PendingCount { get; init; }
    /// <summary>When the hub accepted the job (local time).</summary>
    public DateTime? CreatedTime { get; init; }
    /// <summary>When the job may start (local time).</summary>
    public DateTime? StartTime { get; init; }
    /// <summary>When it ended (local time); null while it is active.</summary>
    public DateTime? EndTime { get; init; }
    /// <summary>How long it may run once started.</summary>
    public TimeSpan MaxExecutionTime { get; init; }
    /// <summary>For method jobs: the method name.</summary>
    public string? MethodName { get; init; }
    /// <summary>For twin jobs: the patch (tags and desired properties) as a navigable object.</summary>
    public PSObject? UpdateTwin { get; init; }
    /// <summary>Why a failed job failed.</summary>
    public string? FailureReason { get; init; }
    /// <summary>A note on the status from the hub.</summary>
    public string? StatusMessage { get; init; }

    /// <summary>True for Completed, Failed and Cancelled.</summary>
    internal static bool IsFinishedStatus(JobStatus status) => status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>Wraps a job for output.</summary>
    internal static PSObject From(JobResponse job)
    {
        var stats = job.DeviceJobStatistics ?? new DeviceJobStatistics();
        PSObject? patch = null;
        if (job.UpdateTwin is { } twin)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(twin.ToJson());
            patch = PSJson.ToPSObject(doc.RootElement);
        }
        var info = new JobInfo
        {
            JobId = job.JobId,
            Type = job.Type,
            Status = job.Status,
            QueryCondition = job.QueryCondition,
            DeviceCount = stats.DeviceCount,
            SucceededCount = stats.SucceededCount,
            FailedCount = stats.FailedCount,
            RunningCount = stats.RunningCount,
            PendingCount = stats.PendingCount,
            CreatedTime = DeviceInfo.Local(job.CreatedTimeUtc),
            StartTime = DeviceInfo.Local(job.StartTimeUtc),
            EndTime = DeviceInfo.Local(job.EndTimeUtc),
            MaxExecutionTime = TimeSpan.FromSeconds(job.MaxExecutionTimeInSeconds),
            MethodName = job.CloudToDeviceMethod?.MethodName,
            UpdateTwin = patch,
            FailureReason = job.FailureReason,
            StatusMessage = job.StatusMessage,
        };
        var ps = PSObject.AsPSObject(info);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => JobId;
}
