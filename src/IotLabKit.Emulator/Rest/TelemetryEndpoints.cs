using System.Globalization;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// The emulator's own read path for device telemetry (an extension; a real hub serves telemetry only through its
/// Event Hubs-compatible AMQP endpoint): <c>GET /$iotlabkit/telemetry</c> with a ServiceConnect token.
/// Query: <c>from</c> = <c>earliest</c> | <c>latest</c> (default) | an ISO 8601 enqueued time; or <c>cursor</c> from a
/// previous answer; <c>partition</c> to read one partition; <c>maxCount</c> 1–1000 (default 100); <c>waitSeconds</c>
/// 0–60 to wait for messages when there are none yet (long poll). The answer:
/// <c>{"partitionCount":4,"cursor":"0:12,1:3,2:0,3:7","messages":[{partition, sequenceNumber, offset,
/// enqueuedTimeUtc, deviceId, moduleId, systemProperties, properties, body (base64)}]}</c>; pass <c>cursor</c> back to
/// continue exactly after the last message returned.
/// </summary>
public static class TelemetryEndpoints
{
    /// <summary>The route.</summary>
    public const string Path = "/$iotlabkit/telemetry";

    /// <summary>Maps the route.</summary>
    public static void Map(IEndpointRouteBuilder routes)
        => routes.MapGet(Path, ReadAsync).WithMetadata(new RequiredPermission(IotHubPermissions.ServiceConnect));

    private static async Task<IResult> ReadAsync(HttpContext context, TelemetryStore store, TimeProvider clock)
    {
        var query = context.Request.Query;
        int[] partitions = query["partition"].Count > 0
            ? [ParseInt(query["partition"], "partition", 0, store.PartitionCount - 1)]
            : Enumerable.Range(0, store.PartitionCount).ToArray();
        var maxCount = query["maxCount"].Count > 0 ? ParseInt(query["maxCount"], "maxCount", 1, 1000) : 100;
        var wait = TimeSpan.FromSeconds(query["waitSeconds"].Count > 0 ? ParseInt(query["waitSeconds"], "waitSeconds", 0, 60) : 0);
        var next = query["cursor"].Count > 0
            ? ParseCursor(query["cursor"]!, store, partitions)
            : partitions.ToDictionary(p => p, p => store.Resolve(p, ParseFrom(query["from"])));

        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            var appended = store.Appended;
            var batch = partitions
                .SelectMany(p => store.Read(p, next[p], maxCount))
                .OrderBy(e => e.EnqueuedTime).ThenBy(e => e.Partition).ThenBy(e => e.SequenceNumber)
                .Take(maxCount)
                .ToList();
            var remaining = deadline - clock.GetUtcNow();
            if (batch.Count > 0 || remaining <= TimeSpan.Zero)
            {
                foreach (var e in batch) next[e.Partition] = Math.Max(next[e.Partition], e.SequenceNumber + 1);
                return HubResults.Json(new JsonObject
                {
                    ["partitionCount"] = store.PartitionCount,
                    ["cursor"] = string.Join(",", next.OrderBy(n => n.Key).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n.Key}:{n.Value}"))),
                    ["messages"] = new JsonArray(batch.Select(ToJson).ToArray<JsonNode?>()),
                });
            }
            try { await appended.WaitAsync(remaining, clock, context.RequestAborted); }
            catch (TimeoutException) { }
        }
    }

    private static JsonObject ToJson(TelemetryEvent e)
    {
        var system = new JsonObject();
        foreach (var (k, v) in e.Message.SystemProperties) system[k] = v;
        system["iothub-enqueuedtime"] = WireTime.Format(e.EnqueuedTime);
        var properties = new JsonObject();
        foreach (var (k, v) in e.Message.Properties) properties[k] = v;
        return new JsonObject
        {
            ["partition"] = e.Partition,
            ["sequenceNumber"] = e.SequenceNumber,
            ["offset"] = e.Offset.ToString(CultureInfo.InvariantCulture),
            ["enqueuedTimeUtc"] = WireTime.Format(e.EnqueuedTime),
            ["deviceId"] = e.Message.DeviceId,
            ["moduleId"] = e.Message.ModuleId,
            ["systemProperties"] = system,
            ["properties"] = properties,
            ["body"] = Convert.ToBase64String(e.Message.Body),
        };
    }

    private static TelemetryPosition ParseFrom(string? from)
    {
        if (string.IsNullOrEmpty(from) || from.Equals("latest", StringComparison.OrdinalIgnoreCase)) return TelemetryPosition.Latest;
        if (from.Equals("earliest", StringComparison.OrdinalIgnoreCase)) return TelemetryPosition.Earliest;
        if (DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return TelemetryPosition.FromEnqueuedTime(time);
        throw HubException.Invalid($"from='{from}' is not 'earliest', 'latest' or an ISO 8601 time.");
    }

    private static Dictionary<int, long> ParseCursor(string cursor, TelemetryStore store, int[] partitions)
    {
        var given = new Dictionary<int, long>();
        foreach (var part in cursor.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':');
            if (colon <= 0
                || !int.TryParse(part[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                || !long.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                throw HubException.Invalid($"The cursor '{cursor}' is not one this endpoint returned ('partition:sequenceNumber,…').");
            given[p] = seq;
        }
        // A partition the cursor does not name starts at its earliest event; an expired position at the oldest retained one.
        return partitions.ToDictionary(p => p, p => store.Resolve(p,
            given.TryGetValue(p, out var s) ? TelemetryPosition.FromSequenceNumber(s) : TelemetryPosition.Earliest));
    }

    private static int ParseInt(string? text, string name, int min, int max)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw HubException.Invalid($"{name}='{text}' must be a whole number from {min} to {max}.");
}
