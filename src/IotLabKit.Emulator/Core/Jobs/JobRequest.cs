using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Methods;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Protocol;
using IotLabKit.Query;

namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>The direct method a <c>scheduleDeviceMethod</c> job invokes on each device.</summary>
/// <param name="MethodName">The method name.</param>
/// <param name="Payload">The request payload: any JSON value, <c>null</c> included.</param>
/// <param name="ResponseTimeoutInSeconds">How long each device has to answer (5–300, default 30).</param>
/// <param name="ConnectTimeoutInSeconds">How long to wait for a device to connect first (0–300, default 0).</param>
public sealed record MethodJobCall(string MethodName, JsonNode? Payload, int ResponseTimeoutInSeconds, int ConnectTimeoutInSeconds)
{
    /// <summary>The wire form (<c>cloudToDeviceMethod</c>).</summary>
    public JsonObject ToJson() => new()
    {
        ["methodName"] = MethodName,
        ["payload"] = Payload?.DeepClone(),
        ["responseTimeoutInSeconds"] = ResponseTimeoutInSeconds,
        ["connectTimeoutInSeconds"] = ConnectTimeoutInSeconds,
    };
}

/// <summary>
/// A job as it was asked for (<c>PUT /jobs/v2/{jobId}</c>), validated. Immutable: the job's progress lives in
/// <see cref="JobRecord"/>.
/// </summary>
public sealed record JobDefinition
{
    /// <summary>The job id.</summary>
    public required string JobId { get; init; }
    /// <summary>Twin update or direct method.</summary>
    public required JobType Type { get; init; }
    /// <summary>The WHERE-clause body that chooses the devices (<c>*</c> = every device).</summary>
    public required string QueryCondition { get; init; }
    /// <summary>For twin jobs: the patch as given (<c>tags</c>, <c>properties.desired</c>, <c>etag</c>), echoed in answers.</summary>
    public JsonObject? UpdateTwin { get; init; }
    /// <summary>For method jobs: the call.</summary>
    public MethodJobCall? Method { get; init; }
    /// <summary>When the job may start (the creation time when none was given).</summary>
    public required DateTimeOffset StartTime { get; init; }
    /// <summary>How long the job may run once started before the devices not reached fail.</summary>
    public required long MaxExecutionTimeInSeconds { get; init; }
    /// <summary>When the hub accepted the job.</summary>
    public required DateTimeOffset CreatedTime { get; init; }

    /// <summary>The twin write each device gets (twin jobs).</summary>
    public TwinWrite TwinWrite => UpdateTwin is { } patch ? TwinWrite.Parse(patch) : new TwinWrite(null, null);
}

/// <summary>Reads and validates a job request body; every rule about what a job may ask for is here.</summary>
public static class JobRequest
{
    /// <summary>What <c>maxExecutionTimeInSeconds</c> is when the request leaves it out or sends 0 (Node's default).</summary>
    public const long DefaultMaxExecutionTimeInSeconds = 3600;

    /// <summary>Throws <c>ArgumentInvalid</c> unless <paramref name="jobId"/> is a valid job id (device-id rules).</summary>
    public static void RequireValidJobId(string? jobId)
    {
        // The device-id character set has no '/', which keeps "jobId/deviceId" keys unambiguous.
        if (!DeviceValidator.IsValidDeviceId(jobId))
            throw HubException.Invalid(
                $"The job id '{jobId}' is invalid: use 1 to 128 characters from A-Z a-z 0-9 and - : . + % _ # * ? ! ( ) , = @ ; $ '.");
    }

    /// <summary>Validates <paramref name="body"/> for the job <paramref name="jobId"/> (from the path).</summary>
    /// <exception cref="HubException">What is wrong, with IoT Hub's code for it.</exception>
    public static JobDefinition Parse(string jobId, JsonObject body, DateTimeOffset now)
    {
        RequireValidJobId(jobId);
        if (OptionalString(body, "jobId") is { } bodyId && !string.Equals(bodyId, jobId, StringComparison.Ordinal))
            throw HubException.Invalid($"The jobId in the body ('{bodyId}') does not match the job id in the request path ('{jobId}').");

        var typeText = OptionalString(body, "type");
        if (!JobWireNames.TryParseType(typeText, out var type))
            throw new HubException(IotHubErrorCode.GenericBadRequest, typeText is null
                ? "BadRequest: the job has no type; use scheduleUpdateTwin or scheduleDeviceMethod."
                : $"BadRequest: '{typeText}' is not a job type; use scheduleUpdateTwin or scheduleDeviceMethod.");

        var condition = OptionalString(body, "queryCondition");
        if (string.IsNullOrWhiteSpace(condition))
            throw new HubException(IotHubErrorCode.ArgumentNull,
                "The job has no queryCondition. Give the WHERE part of a device query (tags.building = '43'), or * for every device.");
        ParseCondition(condition);

        var start = now;
        if (OptionalString(body, "startTime") is { } startText)
        {
            if (!DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out start))
                throw HubException.Invalid($"The startTime '{startText}' is not an ISO 8601 date and time (2025-01-31T08:00:00Z).");
            if (start < now) start = now;
        }

        var maxSeconds = OptionalInteger(body, "maxExecutionTimeInSeconds", 0, long.MaxValue / TimeSpan.TicksPerSecond) ?? 0;
        if (maxSeconds == 0) maxSeconds = DefaultMaxExecutionTimeInSeconds;

        var definition = new JobDefinition
        {
            JobId = jobId,
            Type = type,
            QueryCondition = condition,
            StartTime = start,
            MaxExecutionTimeInSeconds = maxSeconds,
            CreatedTime = now,
        };
        return type == JobType.ScheduleUpdateTwin
            ? definition with { UpdateTwin = ParseUpdateTwin(body, now) }
            : definition with { Method = ParseMethod(body) };
    }

    /// <summary>Parses a stored or requested condition; a bad one is <c>ArgumentInvalid</c> with the parser's message.</summary>
    public static QueryCondition ParseCondition(string condition)
    {
        QueryCondition parsed;
        try { parsed = QueryParser.ParseCondition(condition); }
        catch (QueryException ex)
        {
            throw HubException.Invalid($"The queryCondition is invalid: {ex.Message}");
        }
        if (parsed.Collection != IotLabKit.Query.QueryCollection.Devices)
            throw HubException.Invalid(
                "The queryCondition must select devices (a WHERE clause such as tags.building = '43', or *); the emulator runs jobs on devices, not on modules.");
        return parsed;
    }

    private static JsonObject ParseUpdateTwin(JsonObject body, DateTimeOffset now)
    {
        if (!body.TryGetPropertyValue("updateTwin", out var node) || node is null)
            throw new HubException(IotHubErrorCode.ArgumentNull,
                "A scheduleUpdateTwin job needs updateTwin: {\"tags\":{…}} and/or {\"properties\":{\"desired\":{…}}}.");
        if (node is not JsonObject patch) throw HubException.Invalid("updateTwin must be a JSON object (a twin patch).");
        if (patch.TryGetPropertyValue("etag", out var etag) && etag is not null
            && !(etag.GetValueKind() == JsonValueKind.String && (string?)etag is "*" or "\"*\""))
            throw new HubException(IotHubErrorCode.PreconditionFailed,
                $"The etag in the request does not match: a job's updateTwin.etag must be \"*\" or absent, because a job updates every targeted twin whatever its etag (got {etag.ToJsonString()}).");
        var write = TwinWrite.Parse(patch);
        if (write.Tags is not { Count: > 0 } && write.Desired is not { Count: > 0 })
            throw HubException.Invalid("updateTwin changes nothing: give tags and/or properties.desired.");
        // Apply it to an empty twin once, so a bad key, depth or size fails the request rather than every device.
        TwinDocument.Create(now).WithServicePatch(write, now, out _);
        return (JsonObject)patch.DeepClone();
    }

    private static MethodJobCall ParseMethod(JsonObject body)
    {
        if (!body.TryGetPropertyValue("cloudToDeviceMethod", out var node) || node is null)
            throw new HubException(IotHubErrorCode.ArgumentNull,
                "A scheduleDeviceMethod job needs cloudToDeviceMethod: {\"methodName\":\"…\",\"payload\":…,\"responseTimeoutInSeconds\":30}.");
        if (node is not JsonObject method) throw HubException.Invalid("cloudToDeviceMethod must be a JSON object.");
        // The same rules as POST /twins/{id}/methods (name, timeouts, 128 KB payload): one reader for a method call.
        var call = DirectMethodRequestReader.Read(method);
        return new MethodJobCall(call.MethodName, call.Payload, (int)call.ResponseTimeout.TotalSeconds, (int)call.ConnectTimeout.TotalSeconds);
    }

    private static string? OptionalString(JsonObject parent, string name)
    {
        if (!parent.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw HubException.Invalid($"'{name}' must be a string, not {node.ToJsonString()}.");
    }

    private static long? OptionalInteger(JsonObject parent, string name, long min, long max)
    {
        if (!parent.TryGetPropertyValue(name, out var node) || node is null) return null;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var n)
            && n >= min && n <= max)
            return n;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d)
            && d == Math.Floor(d) && d >= min && d <= max)
            return (long)d;
        throw HubException.Invalid($"'{name}' must be a whole number from {min} to {max}, not {node.ToJsonString()}.");
    }
}
