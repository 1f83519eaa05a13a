using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Jobs;

namespace IotLabKit.Emulator.Storage;

/// <summary>
/// The stored forms of jobs, in three collections: <c>jobs</c> (one row per job: definition and status),
/// <c>jobTargets</c> (the device ids a job chose when it started, written once) and <c>deviceJobs</c> (one row per
/// device result, id <c>jobId/deviceId</c>, written in the same transaction as the twin change it records).
/// </summary>
public static class JobRecordSerializer
{
    /// <summary>One row per job.</summary>
    public const string Jobs = "jobs";
    /// <summary>One row per started job: the devices it chose.</summary>
    public const string JobTargets = "jobTargets";
    /// <summary>One row per device result.</summary>
    public const string DeviceJobs = "deviceJobs";

    /// <summary>The store change that writes <paramref name="record"/>.</summary>
    public static StoreChange Change(JobRecord record) => new(Jobs, record.JobId, HubJson.Write(Write(record)));

    /// <summary>The store change that writes a started job's devices.</summary>
    public static StoreChange TargetsChange(string jobId, IReadOnlyList<string> deviceIds)
        => new(JobTargets, jobId, HubJson.Write(new JsonObject { ["deviceIds"] = new JsonArray(deviceIds.Select(id => (JsonNode)id).ToArray()) }));

    /// <summary>The store change that writes one device result.</summary>
    public static StoreChange ResultChange(string jobId, DeviceJobResult result)
        => new(DeviceJobs, ResultKey(jobId, result.DeviceId), HubJson.Write(Write(result)));

    /// <summary>The store changes that delete a job and everything stored with it.</summary>
    public static IEnumerable<StoreChange> Deletes(string jobId, IEnumerable<string> resultDeviceIds)
    {
        yield return new StoreChange(Jobs, jobId, null);
        yield return new StoreChange(JobTargets, jobId, null);
        foreach (var deviceId in resultDeviceIds) yield return new StoreChange(DeviceJobs, ResultKey(jobId, deviceId), null);
    }

    /// <summary>The id of a device result row.</summary>
    public static string ResultKey(string jobId, string deviceId) => jobId + "/" + deviceId;

    /// <summary>Reads a job row.</summary>
    public static JobRecord ReadJob(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        JobWireNames.TryParseType((string?)o["type"], out var type);
        JobWireNames.TryParseStatus((string?)o["status"], out var status);
        MethodJobCall? method = null;
        if (o["cloudToDeviceMethod"] is JsonObject m)
        {
            method = new MethodJobCall((string)m["methodName"]!, m["payload"]?.DeepClone(),
                (int)m["responseTimeoutInSeconds"]!, (int)m["connectTimeoutInSeconds"]!);
        }
        return new JobRecord
        {
            Definition = new JobDefinition
            {
                JobId = (string)o["jobId"]!,
                Type = type,
                QueryCondition = (string)o["queryCondition"]!,
                UpdateTwin = o["updateTwin"] is JsonObject patch ? (JsonObject)patch.DeepClone() : null,
                Method = method,
                StartTime = WireTime.Parse((string?)o["startTime"]),
                MaxExecutionTimeInSeconds = (long)o["maxExecutionTimeInSeconds"]!,
                CreatedTime = WireTime.Parse((string?)o["createdTime"]),
            },
            Status = status,
            RunStartTime = OptionalTime(o, "runStartTime"),
            EndTime = OptionalTime(o, "endTime"),
            FailureReason = (string?)o["failureReason"],
            StatusMessage = (string?)o["statusMessage"],
        };
    }

    /// <summary>Reads a targets row.</summary>
    public static string[] ReadTargets(string json)
        => JsonNode.Parse(json)!["deviceIds"]!.AsArray().Select(n => (string)n!).ToArray();

    /// <summary>Reads a device result row stored under <paramref name="key"/> (<c>jobId/deviceId</c>).</summary>
    public static (string JobId, DeviceJobResult Result) ReadResult(string key, string json)
    {
        var slash = key.IndexOf('/');
        var jobId = key[..slash];
        var deviceId = key[(slash + 1)..];
        var o = JsonNode.Parse(json)!.AsObject();
        var status = Enum.Parse<DeviceJobStatus>((string)o["status"]!, ignoreCase: true);
        DeviceJobError? error = o["error"] is JsonObject e ? new DeviceJobError((string)e["code"]!, (string)e["description"]!) : null;
        return (jobId, new DeviceJobResult(deviceId, status, WireTime.Parse((string?)o["startTime"]), WireTime.Parse((string?)o["endTime"]),
            o["outcome"] is JsonObject outcome ? (JsonObject)outcome.DeepClone() : null, error));
    }

    private static JsonObject Write(JobRecord record)
    {
        var d = record.Definition;
        var json = new JsonObject
        {
            ["jobId"] = d.JobId,
            ["type"] = JobWireNames.Of(d.Type),
            ["queryCondition"] = d.QueryCondition,
            ["startTime"] = WireTime.Format(d.StartTime),
            ["maxExecutionTimeInSeconds"] = d.MaxExecutionTimeInSeconds,
            ["createdTime"] = WireTime.Format(d.CreatedTime),
            ["status"] = JobWireNames.Of(record.Status),
        };
        if (d.UpdateTwin is { } patch) json["updateTwin"] = patch.DeepClone();
        if (d.Method is { } method) json["cloudToDeviceMethod"] = method.ToJson();
        if (record.RunStartTime is { } run) json["runStartTime"] = WireTime.Format(run);
        if (record.EndTime is { } end) json["endTime"] = WireTime.Format(end);
        if (record.FailureReason is { } reason) json["failureReason"] = reason;
        if (record.StatusMessage is { } message) json["statusMessage"] = message;
        return json;
    }

    private static JsonObject Write(DeviceJobResult result)
    {
        var json = new JsonObject
        {
            ["status"] = JobWireNames.Of(result.Status),
            ["startTime"] = WireTime.Format(result.StartTime),
            ["endTime"] = WireTime.Format(result.EndTime),
        };
        if (result.Outcome is { } outcome) json["outcome"] = outcome.DeepClone();
        if (result.Error is { } error) json["error"] = new JsonObject { ["code"] = error.Code, ["description"] = error.Description };
        return json;
    }

    private static DateTimeOffset? OptionalTime(JsonObject o, string name)
        => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? WireTime.Parse((string?)v) : null;
}
