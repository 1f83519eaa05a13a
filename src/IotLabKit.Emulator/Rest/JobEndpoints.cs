using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Jobs;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// Jobs v2 over REST: <c>PUT</c>/<c>GET /jobs/v2/{jobId}</c>, <c>POST /jobs/v2/{jobId}/cancel</c> and
/// <c>GET /jobs/v2/query?jobType=&amp;jobStatus=</c> (paged with <c>x-ms-max-item-count</c>/<c>x-ms-continuation</c>).
/// </summary>
public static class JobEndpoints
{
    /// <summary>The page size when the request gives none.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page; bigger requests get this many.</summary>
    public const int MaxPageSize = 1000;

    private const string ContinuationHeader = "x-ms-continuation";

    /// <summary>Maps the job routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var serviceConnect = new RequiredPermission(IotHubPermissions.ServiceConnect);
        // The literal "query" segment wins over {jobId}, as on IoT Hub.
        routes.MapGet("/jobs/v2/query", Query).WithMetadata(serviceConnect);
        routes.MapPut("/jobs/v2/{jobId}", Create).WithMetadata(serviceConnect);
        routes.MapGet("/jobs/v2/{jobId}", (string jobId, JobEngine jobs) => HubResults.Json(jobs.Get(jobId))).WithMetadata(serviceConnect);
        routes.MapPost("/jobs/v2/{jobId}/cancel", (string jobId, JobEngine jobs) => HubResults.Json(jobs.Cancel(jobId))).WithMetadata(serviceConnect);
    }

    private static async Task<IResult> Create(string jobId, HttpRequest request, JobEngine jobs)
    {
        var body = await HubResults.ReadObjectAsync(request, "the job");
        return HubResults.Json(jobs.Create(jobId, body));
    }

    private static IResult Query(HttpContext context, JobEngine jobs)
    {
        var request = context.Request;
        JobType? type = null;
        if (request.Query["jobType"].ToString() is { Length: > 0 } typeText)
        {
            type = JobWireNames.TryParseType(typeText, out var t) ? t
                : throw HubException.Invalid($"The jobType '{typeText}' is not a job type; use scheduleUpdateTwin or scheduleDeviceMethod.");
        }
        JobStatus? status = null;
        if (request.Query["jobStatus"].ToString() is { Length: > 0 } statusText)
        {
            status = JobWireNames.TryParseStatus(statusText, out var s) ? s
                : throw HubException.Invalid($"The jobStatus '{statusText}' is not a job status; use queued, scheduled, running, completed, failed or cancelled.");
        }
        var pageSize = PageSize(request.Headers["x-ms-max-item-count"].ToString());
        var after = Continuation(request.Headers[ContinuationHeader].ToString());

        var all = jobs.Query(type, status);
        var start = after is null ? 0 : CountUpTo(all, after.Value);
        var page = all.Skip(start).Take(pageSize).ToList();
        context.Response.Headers["x-ms-item-type"] = "JobResponse";
        // Only when more remain: Node's SDK reads any x-ms-continuation header, empty or not, as "more pages".
        if (start + page.Count < all.Count) context.Response.Headers[ContinuationHeader] = Token(page[^1]);
        return HubResults.Json(new JsonArray(page.Select(j => (JsonNode)j).ToArray()));
    }

    private static int PageSize(string header)
    {
        if (header.Length == 0) return DefaultPageSize;
        if (!int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            throw HubException.Invalid($"x-ms-max-item-count must be a whole number of at least 1, not '{header}'.");
        return Math.Min(n, MaxPageSize);
    }

    // The token names the last job returned (creation time and id): later pages stay right when jobs come and go.
    private static string Token(JsonObject job)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes(
            WireTime.Parse((string?)job["createdTime"]).UtcTicks.ToString(CultureInfo.InvariantCulture) + "|" + (string)job["jobId"]!));

    private static (long Ticks, string JobId)? Continuation(string header)
    {
        if (header.Length == 0) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(header));
            var bar = text.IndexOf('|');
            if (bar > 0 && long.TryParse(text[..bar], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                return (ticks, text[(bar + 1)..]);
        }
        catch (FormatException) { }
        throw HubException.Invalid("The x-ms-continuation token is not one this hub issued; start the query again without it.");
    }

    private static int CountUpTo(IReadOnlyList<JsonObject> jobs, (long Ticks, string JobId) after)
    {
        var count = 0;
        foreach (var job in jobs)
        {
            var ticks = WireTime.Parse((string?)job["createdTime"]).UtcTicks;
            var order = ticks != after.Ticks ? ticks.CompareTo(after.Ticks) : string.CompareOrdinal((string)job["jobId"]!, after.JobId);
            if (order > 0) break;
            count++;
        }
        return count;
    }
}
