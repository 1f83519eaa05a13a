namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>What a job does to each device it targets.</summary>
public enum JobType
{
    /// <summary><c>scheduleUpdateTwin</c>: merges tags and desired properties into each twin.</summary>
    ScheduleUpdateTwin,
    /// <summary><c>scheduleDeviceMethod</c>: invokes a direct method on each device.</summary>
    ScheduleDeviceMethod,
}

/// <summary>A job's status, as IoT Hub spells it on the wire (note the double "l" of <c>cancelled</c>).</summary>
public enum JobStatus
{
    /// <summary>Created with no start time in the future; starts at once.</summary>
    Queued,
    /// <summary>Waiting for its <c>startTime</c>.</summary>
    Scheduled,
    /// <summary>Working through its devices.</summary>
    Running,
    /// <summary>Every device was dealt with (some may have failed).</summary>
    Completed,
    /// <summary>Stopped before the end: <c>maxExecutionTimeInSeconds</c> ran out.</summary>
    Failed,
    /// <summary>Cancelled by a <c>POST /jobs/v2/{id}/cancel</c>.</summary>
    Cancelled,
}

/// <summary>One device's part of a job (<c>FROM devices.jobs</c>; note the single "l" of <c>canceled</c>).</summary>
public enum DeviceJobStatus
{
    /// <summary>Not reached yet.</summary>
    Pending,
    /// <summary>In IoT Hub's vocabulary; the emulator chooses devices when a job starts, so it never shows it.</summary>
    Scheduled,
    /// <summary>A direct method call is in flight.</summary>
    Running,
    /// <summary>Done: the twin was updated, or the device answered the method (whatever its status code).</summary>
    Completed,
    /// <summary>Not done, with an <c>error</c> that says why.</summary>
    Failed,
    /// <summary>The job was cancelled before this device was reached.</summary>
    Canceled,
}

/// <summary>The wire spellings of <see cref="JobType"/>, <see cref="JobStatus"/> and <see cref="DeviceJobStatus"/>.</summary>
public static class JobWireNames
{
    /// <summary><c>scheduleUpdateTwin</c> or <c>scheduleDeviceMethod</c>.</summary>
    public static string Of(JobType type) => type switch
    {
        JobType.ScheduleUpdateTwin => "scheduleUpdateTwin",
        _ => "scheduleDeviceMethod",
    };

    /// <summary>The lower-case wire name (<c>queued</c> … <c>cancelled</c>).</summary>
    public static string Of(JobStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>The lower-case wire name (<c>pending</c> … <c>canceled</c>).</summary>
    public static string Of(DeviceJobStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Reads a job type in any case (C# sends <c>ScheduleUpdateTwin</c>, Node <c>scheduleUpdateTwin</c>).</summary>
    public static bool TryParseType(string? text, out JobType type)
        => Enum.TryParse(text?.Trim(), ignoreCase: true, out type) && Enum.IsDefined(type) && !int.TryParse(text, out _);

    /// <summary>Reads a job status in any case; <c>canceled</c> is taken for <c>cancelled</c>.</summary>
    public static bool TryParseStatus(string? text, out JobStatus status)
    {
        var t = text?.Trim();
        if (string.Equals(t, "canceled", StringComparison.OrdinalIgnoreCase)) t = nameof(JobStatus.Cancelled);
        return Enum.TryParse(t, ignoreCase: true, out status) && Enum.IsDefined(status) && !int.TryParse(t, out _);
    }

    /// <summary>True for the statuses a job can still leave (it counts against the active-job limit).</summary>
    public static bool IsActive(this JobStatus status) => status is JobStatus.Queued or JobStatus.Scheduled or JobStatus.Running;
}
