using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>A job's definition and where it stands. Immutable; a change stores a new record.</summary>
public sealed record JobRecord
{
    /// <summary>What was asked for.</summary>
    public required JobDefinition Definition { get; init; }
    /// <summary>Where the job stands.</summary>
    public required JobStatus Status { get; init; }
    /// <summary>When it started running (its execution-time limit counts from here); null before.</summary>
    public DateTimeOffset? RunStartTime { get; init; }
    /// <summary>When it reached completed, failed or cancelled; null before.</summary>
    public DateTimeOffset? EndTime { get; init; }
    /// <summary>Why it failed, for a failed job.</summary>
    public string? FailureReason { get; init; }
    /// <summary>A human-readable note on the status (cancellation, time-out).</summary>
    public string? StatusMessage { get; init; }

    /// <summary>The job id.</summary>
    public string JobId => Definition.JobId;
}

/// <summary>Why a device's part of a job failed, as <c>devices.jobs</c> shows it (<c>error {code, description}</c>).</summary>
/// <param name="Code">An IoT Hub error-code name (<c>DeviceNotOnline</c>, <c>GatewayTimeout</c>, <c>DeviceNotFound</c> …).</param>
/// <param name="Description">What happened, for a person.</param>
public sealed record DeviceJobError(string Code, string Description);

/// <summary>
/// The stored outcome of one device's part of a job: completed or failed. Devices not reached yet have no result
/// (they are pending or running); devices a job never reached because it was cancelled or ran out of time get
/// their status from the job.
/// </summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Status"><see cref="DeviceJobStatus.Completed"/> or <see cref="DeviceJobStatus.Failed"/>.</param>
/// <param name="StartTime">When the hub began this device's part.</param>
/// <param name="EndTime">When it finished.</param>
/// <param name="Outcome">For method jobs that reached the device: <c>{"deviceMethodResponse":{"status":…,"payload":…}}</c>.</param>
/// <param name="Error">For failures: why.</param>
public sealed record DeviceJobResult(string DeviceId, DeviceJobStatus Status, DateTimeOffset StartTime, DateTimeOffset EndTime,
    JsonObject? Outcome, DeviceJobError? Error);

/// <summary>
/// <c>deviceJobStatistics</c>. The counts always add up: <c>deviceCount = succeeded + failed + running + pending</c>.
/// Devices a job did not reach before it was cancelled or ran out of time count as failed.
/// </summary>
public sealed record JobStatistics(int DeviceCount, int FailedCount, int SucceededCount, int RunningCount, int PendingCount)
{
    /// <summary>The wire form.</summary>
    public JsonObject ToJson() => new()
    {
        ["deviceCount"] = DeviceCount,
        ["failedCount"] = FailedCount,
        ["succeededCount"] = SucceededCount,
        ["runningCount"] = RunningCount,
        ["pendingCount"] = PendingCount,
    };

    /// <summary>
    /// The statistics of a job from its counts: <paramref name="targets"/> devices chosen (0 before it starts),
    /// <paramref name="succeeded"/> and <paramref name="failed"/> stored results, <paramref name="running"/> calls in flight.
    /// </summary>
    public static JobStatistics Compute(JobStatus status, int targets, int succeeded, int failed, int running)
    {
        if (status != JobStatus.Running) running = 0;
        var rest = Math.Max(0, targets - succeeded - failed - running);
        // A job that ended early leaves no device pending: the ones it never reached failed (or were canceled).
        if (status is JobStatus.Failed or JobStatus.Cancelled or JobStatus.Completed)
        {
            failed += rest;
            rest = 0;
        }
        return new JobStatistics(targets, failed, succeeded, running, rest);
    }
}
