using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>The wire forms of jobs: <c>JobResponse</c> and the <c>devices.jobs</c> documents.</summary>
public static class JobJson
{
    /// <summary>The error code of devices a job did not reach within <c>maxExecutionTimeInSeconds</c>.</summary>
    public const string TimedOutCode = "GenericTimeout";

    /// <summary>The <c>JobResponse</c> of a job with these statistics.</summary>
    public static JsonObject Response(JobRecord record, JobStatistics statistics)
    {
        var d = record.Definition;
        var json = new JsonObject
        {
            ["jobId"] = d.JobId,
            ["queryCondition"] = d.QueryCondition,
            ["createdTime"] = WireTime.Format(d.CreatedTime),
            ["startTime"] = WireTime.Format(d.StartTime),
        };
        if (record.EndTime is { } end) json["endTime"] = WireTime.Format(end);
        json["maxExecutionTimeInSeconds"] = d.MaxExecutionTimeInSeconds;
        json["type"] = JobWireNames.Of(d.Type);
        json["status"] = JobWireNames.Of(record.Status);
        if (d.Method is { } method) json["cloudToDeviceMethod"] = method.ToJson();
        if (d.UpdateTwin is { } patch) json["updateTwin"] = patch.DeepClone();
        if (record.FailureReason is { } reason) json["failureReason"] = reason;
        if (record.StatusMessage is { } message) json["statusMessage"] = message;
        json["deviceJobStatistics"] = statistics.ToJson();
        return json;
    }

    /// <summary>The <c>devices.jobs</c> document of a device with a stored result.</summary>
    public static JsonObject DeviceJob(JobRecord job, DeviceJobResult result)
    {
        var json = Common(job, result.DeviceId, result.Status, result.StartTime, result.EndTime, result.EndTime);
        if (result.Outcome is { } outcome) json["outcome"] = outcome.DeepClone();
        if (result.Error is { } error) json["error"] = Error(error);
        return json;
    }

    /// <summary>
    /// The document of a device without a result: pending or running while the job runs; canceled or failed
    /// (never reached) once the job was cancelled or ran out of time.
    /// </summary>
    public static JsonObject UnfinishedDeviceJob(JobRecord job, string deviceId, DateTimeOffset? callStarted)
    {
        var created = job.RunStartTime ?? job.Definition.CreatedTime;
        switch (job.Status)
        {
            case JobStatus.Cancelled:
            {
                var end = job.EndTime ?? created;
                return Common(job, deviceId, DeviceJobStatus.Canceled, null, end, end);
            }
            case JobStatus.Failed:
            {
                var end = job.EndTime ?? created;
                var json = Common(job, deviceId, DeviceJobStatus.Failed, null, end, end);
                json["error"] = Error(new DeviceJobError(TimedOutCode, job.FailureReason ?? "The job stopped before this device was reached."));
                return json;
            }
            default:
                return callStarted is { } started
                    ? Common(job, deviceId, DeviceJobStatus.Running, started, null, started)
                    : Common(job, deviceId, DeviceJobStatus.Pending, null, null, created);
        }
    }

    private static JsonObject Common(JobRecord job, string deviceId, DeviceJobStatus status, DateTimeOffset? start,
        DateTimeOffset? end, DateTimeOffset lastUpdated)
    {
        var created = WireTime.Format(job.RunStartTime ?? job.Definition.CreatedTime);
        var json = new JsonObject
        {
            ["deviceId"] = deviceId,
            ["jobId"] = job.JobId,
            ["jobType"] = JobWireNames.Of(job.Definition.Type),
            ["status"] = JobWireNames.Of(status),
        };
        if (start is { } s) json["startTimeUtc"] = WireTime.Format(s);
        if (end is { } e) json["endTimeUtc"] = WireTime.Format(e);
        json["createdDateTimeUtc"] = created;
        // IoT Hub's query examples filter on createdTimeUtc while its SDKs read createdDateTimeUtc: both are here.
        json["createdTimeUtc"] = created;
        json["lastUpdatedDateTimeUtc"] = WireTime.Format(lastUpdated);
        return json;
    }

    private static JsonObject Error(DeviceJobError error) => new() { ["code"] = error.Code, ["description"] = error.Description };
}
