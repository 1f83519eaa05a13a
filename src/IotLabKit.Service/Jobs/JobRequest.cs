using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// The body of <c>PUT /jobs/v2/{id}</c>: <c>{jobId, type, queryCondition, startTime, maxExecutionTimeInSeconds,
/// cloudToDeviceMethod | updateTwin}</c>, checked before anything is sent.
/// </summary>
internal static class JobRequest
{
    public static string ForMethod(string jobId, string queryCondition, CloudToDeviceMethod method, DateTime startTimeUtc, long maxExecutionTimeInSeconds)
    {
        ArgumentNullException.ThrowIfNull(method);
        var body = Common(jobId, JobType.ScheduleDeviceMethod, queryCondition, startTimeUtc, maxExecutionTimeInSeconds);
        body["cloudToDeviceMethod"] = JsonSerializer.SerializeToNode(method, ServiceJson.Options);
        return body.ToJsonString(ServiceJson.Options);
    }

    /// <summary>
    /// A twin job carries the patch's tags and desired properties and <c>"etag":"*"</c>: the hub applies the job as
    /// a forced update and refuses any real etag with 412.
    /// </summary>
    public static string ForTwin(string jobId, string queryCondition, Twin twin, DateTime startTimeUtc, long maxExecutionTimeInSeconds)
    {
        ArgumentNullException.ThrowIfNull(twin);
        var patch = twin.ToServiceWriteJson(replace: false);
        if (patch.Count == 0)
            throw new ArgumentException("The twin patch has no tags and no desired properties, so the job would change nothing.", nameof(twin));
        patch["etag"] = "*";
        var body = Common(jobId, JobType.ScheduleUpdateTwin, queryCondition, startTimeUtc, maxExecutionTimeInSeconds);
        body["updateTwin"] = patch;
        return body.ToJsonString(ServiceJson.Options);
    }

    private static JsonObject Common(string jobId, JobType type, string queryCondition, DateTime startTimeUtc, long maxExecutionTimeInSeconds)
    {
        JobClient.ValidateJobId(jobId);
        if (string.IsNullOrWhiteSpace(queryCondition))
            throw new ArgumentException("The query condition is empty; give a WHERE condition over twins (deviceId IN ['d1','d2']) or * for every device.", nameof(queryCondition));
        ArgumentOutOfRangeException.ThrowIfNegative(maxExecutionTimeInSeconds);
        var body = new JsonObject
        {
            ["jobId"] = jobId,
            ["type"] = WireEnumConverter<JobType>.ToWireString(type),
            ["queryCondition"] = queryCondition,
            ["startTime"] = JsonValue.Create(ToUtc(startTimeUtc)),
        };
        // Zero means "the hub's default", which the hub applies only when the member is absent.
        if (maxExecutionTimeInSeconds > 0) body["maxExecutionTimeInSeconds"] = maxExecutionTimeInSeconds;
        return body;
    }

    /// <summary>A local time is converted; an unspecified one is taken as UTC, as the parameter's name says.</summary>
    internal static DateTime ToUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => time,
    };
}
