using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;
using IotLabKit.Service;
using static IotLabKit.UnitTests.Service.ServiceScriptedHub;

namespace IotLabKit.UnitTests.Service;

/// <summary>JobClient: the jobs v2 requests, the job JSON both ways, and the job query.</summary>
public class ServiceJobTests
{
    private const string MethodJob = """
        {"jobId":"reboot-all","queryCondition":"deviceId IN ['d1','d2']","createdTime":"2023-03-01T10:00:00.123Z",
         "startTime":"2023-03-01T10:00:00Z","endTime":"2023-03-01T10:00:05.5Z","maxExecutionTimeInSeconds":3600,
         "type":"scheduleDeviceMethod",
         "cloudToDeviceMethod":{"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":30,"connectTimeoutInSeconds":0},
         "status":"completed","statusMessage":"done",
         "deviceJobStatistics":{"deviceCount":2,"failedCount":1,"succeededCount":1,"runningCount":0,"pendingCount":0}}
        """;

    private const string TwinJob = """
        {"jobId":"set-fw","queryCondition":"tags.site = 'lab'","createdTime":"2023-03-01T10:00:00Z","startTime":"2023-03-01T11:00:00Z",
         "maxExecutionTimeInSeconds":600,"type":"scheduleUpdateTwin",
         "updateTwin":{"deviceId":null,"etag":"*","tags":{"fw":"1.0.1"},"properties":{"desired":{"firmware":{"version":"1.0.1"}}}},
         "status":"scheduled","deviceJobStatistics":{"deviceCount":0,"failedCount":0,"succeededCount":0,"runningCount":0,"pendingCount":0}}
        """;

    private static readonly DateTime Start = new(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);

    private static JobClient Jobs(ServiceScriptedHub hub) => JobClient.CreateFromConnectionString(ConnectionString, hub.Options());

    [Fact]
    public async Task Schedule_twin_update_puts_the_job_with_the_patch_and_a_star_etag()
    {
        var hub = new ServiceScriptedHub(Ok(TwinJob));
        using var jobs = Jobs(hub);
        var twin = new Twin("ignored") { ETag = "AAAAAAAAAAE=" };
        twin.Tags["fw"] = "1.0.1";
        twin.Properties.Desired["firmware"] = new JsonObject { ["version"] = "1.0.1" };
        twin.Properties.Reported["notSent"] = 1;

        var job = await jobs.ScheduleTwinUpdateAsync("set fw", "tags.site = 'lab'", twin, Start, 600);

        var r = Assert.Single(hub.Requests);
        Assert.Equal(HttpMethod.Put, r.Method);
        Assert.Equal($"{Base}jobs/v2/set%20fw?{ApiVersion}", r.Uri.AbsoluteUri);
        Assert.Null(r.Header("If-Match"));
        Assert.Equal(
            """{"jobId":"set fw","type":"scheduleUpdateTwin","queryCondition":"tags.site = 'lab'","startTime":"2024-05-01T10:00:00Z","maxExecutionTimeInSeconds":600,"updateTwin":{"tags":{"fw":"1.0.1"},"properties":{"desired":{"firmware":{"version":"1.0.1"}}},"etag":"*"}}""",
            r.Body);
        Assert.Equal(JobStatus.Scheduled, job.Status);
        Assert.Equal("1.0.1", job.UpdateTwin!.Tags["fw"]);
    }

    [Fact]
    public async Task Schedule_device_method_puts_the_job_with_the_method_and_leaves_out_a_zero_max_time()
    {
        var hub = new ServiceScriptedHub(Ok(MethodJob));
        using var jobs = Jobs(hub);
        var method = new CloudToDeviceMethod("reboot", TimeSpan.FromSeconds(30)).SetPayloadJson("""{"delay":5}""");
        var localStart = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Local);

        await jobs.ScheduleDeviceMethodAsync("reboot-all", "deviceId IN ['d1','d2']", method, localStart, 0);

        var body = JsonNode.Parse(hub.Requests[0].Body!)!.AsObject();
        Assert.Equal("reboot-all", (string?)body["jobId"]);
        Assert.Equal("scheduleDeviceMethod", (string?)body["type"]);
        Assert.Equal("deviceId IN ['d1','d2']", (string?)body["queryCondition"]);
        Assert.Equal(localStart.ToUniversalTime(), body["startTime"]!.GetValue<DateTime>());
        Assert.EndsWith("Z", (string?)body["startTime"]);
        Assert.False(body.ContainsKey("maxExecutionTimeInSeconds"));
        Assert.False(body.ContainsKey("updateTwin"));
        Assert.Equal("""{"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":30}""", body["cloudToDeviceMethod"]!.ToJsonString());
    }

    [Fact]
    public async Task An_unspecified_start_time_is_taken_as_utc()
    {
        var hub = new ServiceScriptedHub(Ok(MethodJob));
        using var jobs = Jobs(hub);
        await jobs.ScheduleDeviceMethodAsync("j", "*", new CloudToDeviceMethod("m"), new DateTime(2024, 5, 1, 10, 0, 0), 60);
        Assert.Contains("\"startTime\":\"2024-05-01T10:00:00Z\"", hub.Requests[0].Body);
    }

    [Fact]
    public async Task Get_job_reads_every_field_of_a_method_job()
    {
        var hub = new ServiceScriptedHub(Ok(MethodJob));
        using var jobs = Jobs(hub);
        var job = await jobs.GetJobAsync("reboot-all");

        Assert.Equal(HttpMethod.Get, hub.Requests[0].Method);
        Assert.Equal($"{Base}jobs/v2/reboot-all?{ApiVersion}", hub.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("reboot-all", job.JobId);
        Assert.Equal("deviceId IN ['d1','d2']", job.QueryCondition);
        Assert.Equal(new DateTime(2023, 3, 1, 10, 0, 0, 123, DateTimeKind.Utc), job.CreatedTimeUtc);
        Assert.Equal(new DateTime(2023, 3, 1, 10, 0, 0, DateTimeKind.Utc), job.StartTimeUtc);
        Assert.Equal(new DateTime(2023, 3, 1, 10, 0, 5, 500, DateTimeKind.Utc), job.EndTimeUtc);
        Assert.Equal(3600, job.MaxExecutionTimeInSeconds);
        Assert.Equal(JobType.ScheduleDeviceMethod, job.Type);
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal("done", job.StatusMessage);
        Assert.Equal("reboot", job.CloudToDeviceMethod!.MethodName);
        Assert.Equal(TimeSpan.FromSeconds(30), job.CloudToDeviceMethod.ResponseTimeout);
        Assert.Equal("""{"delay":5}""", job.CloudToDeviceMethod.GetPayloadAsJson());
        Assert.Null(job.UpdateTwin);
        var stats = job.DeviceJobStatistics!;
        Assert.Equal((2, 1, 1, 0, 0), (stats.DeviceCount, stats.FailedCount, stats.SucceededCount, stats.RunningCount, stats.PendingCount));
    }

    [Fact]
    public async Task An_unknown_job_is_JobNotFoundException()
    {
        var hub = new ServiceScriptedHub(Error(404, "JobNotFound", "Job with id 'nope' was not found."));
        using var jobs = Jobs(hub);
        var ex = await Assert.ThrowsAsync<JobNotFoundException>(() => jobs.GetJobAsync("nope"));
        Assert.Equal(IotHubErrorCode.JobNotFound, ex.ErrorCode);
        Assert.Equal("Job with id 'nope' was not found.", ex.Message);
    }

    [Fact]
    public async Task Cancel_posts_to_cancel_with_no_body()
    {
        var hub = new ServiceScriptedHub(Ok(MethodJob.Replace("\"completed\"", "\"cancelled\"")));
        using var jobs = Jobs(hub);
        var job = await jobs.CancelJobAsync("reboot-all");
        var r = Assert.Single(hub.Requests);
        Assert.Equal(HttpMethod.Post, r.Method);
        Assert.Equal($"{Base}jobs/v2/reboot-all/cancel?{ApiVersion}", r.Uri.AbsoluteUri);
        Assert.Null(r.Body);
        Assert.Null(r.Header("Content-Type"));
        Assert.Equal(JobStatus.Cancelled, job.Status);
    }

    [Fact]
    public async Task Job_query_filters_by_lower_case_type_and_status_and_pages_by_headers()
    {
        var hub = new ServiceScriptedHub(
            Ok($"[{MethodJob}]", ("x-ms-item-type", "JobResponse"), ("x-ms-continuation", "jc1")),
            Ok($"[{TwinJob}]", ("x-ms-item-type", "JobResponse")));
        using var jobs = Jobs(hub);
        var query = jobs.CreateQuery(JobType.ScheduleDeviceMethod, JobStatus.Completed, 10);

        var first = await query.GetNextAsJobResponseAsync();
        var second = await query.GetNextAsJobResponseAsync();

        Assert.Equal(HttpMethod.Get, hub.Requests[0].Method);
        Assert.Equal($"{Base}jobs/v2/query?jobType=scheduleDeviceMethod&jobStatus=completed&{ApiVersion}", hub.Requests[0].Uri.AbsoluteUri);
        Assert.Null(hub.Requests[0].Body);
        Assert.Equal("10", hub.Requests[0].Header("x-ms-max-item-count"));
        Assert.Null(hub.Requests[0].Header("x-ms-continuation"));
        Assert.Equal("jc1", hub.Requests[1].Header("x-ms-continuation"));
        Assert.Equal("reboot-all", first[0].JobId);
        Assert.Equal("set-fw", second[0].JobId);
        Assert.Equal(QueryResultType.JobResponse, second.ResultType);
        Assert.False(query.HasMoreResults);
    }

    [Fact]
    public async Task Job_query_without_filters_has_only_the_api_version()
    {
        var hub = new ServiceScriptedHub(Ok("[]", ("x-ms-item-type", "JobResponse")));
        using var jobs = Jobs(hub);
        await jobs.CreateQuery().GetNextAsJobResponseAsync();
        await jobs.CreateQuery(null, JobStatus.Cancelled).GetNextAsJobResponseAsync();
        Assert.Equal($"{Base}jobs/v2/query?{ApiVersion}", hub.Requests[0].Uri.AbsoluteUri);
        Assert.Equal($"{Base}jobs/v2/query?jobStatus=cancelled&{ApiVersion}", hub.Requests[1].Uri.AbsoluteUri);
        Assert.Null(hub.Requests[0].Header("x-ms-max-item-count"));
    }

    [Fact]
    public async Task Bad_job_arguments_are_refused_before_anything_is_sent()
    {
        var hub = new ServiceScriptedHub(Ok(MethodJob));
        using var jobs = Jobs(hub);
        var patch = new Twin();
        patch.Tags["x"] = 1;
        var method = new CloudToDeviceMethod("m");
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.GetJobAsync(" "));
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.CancelJobAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.ScheduleDeviceMethodAsync("", "*", method, Start, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.ScheduleDeviceMethodAsync("j", " ", method, Start, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => jobs.ScheduleDeviceMethodAsync("j", "*", method, Start, -1));
        await Assert.ThrowsAsync<ArgumentNullException>(() => jobs.ScheduleDeviceMethodAsync("j", "*", null!, Start, 0));
        await Assert.ThrowsAsync<ArgumentNullException>(() => jobs.ScheduleTwinUpdateAsync("j", "*", null!, Start, 0));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => jobs.ScheduleTwinUpdateAsync("j", "*", new Twin(), Start, 0));
        Assert.Contains("change nothing", empty.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => jobs.CreateQuery(0));
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public async Task Too_many_concurrent_jobs_is_a_throttling_exception()
    {
        var hub = new ServiceScriptedHub(Error(429, "ThrottlingMaxActiveJobCountExceeded", "Max active jobs reached."));
        using var jobs = Jobs(hub);
        var ex = await Assert.ThrowsAsync<ThrottlingException>(() => jobs.ScheduleDeviceMethodAsync("j", "*", new CloudToDeviceMethod("m"), Start, 0));
        Assert.Equal(IotHubErrorCode.ThrottlingMaxActiveJobCountExceeded, ex.ErrorCode);
    }

    [Theory]
    [InlineData("cancelled", JobStatus.Cancelled)]
    [InlineData("canceled", JobStatus.Cancelled)]
    [InlineData("COMPLETED", JobStatus.Completed)]
    [InlineData("Queued", JobStatus.Queued)]
    [InlineData("enqueued", JobStatus.Enqueued)]
    [InlineData("somethingNew", JobStatus.Unknown)]
    public void Job_status_wire_strings_are_read_ignoring_case_and_unknown_ones_as_unknown(string wire, JobStatus expected)
        => Assert.Equal(expected, JobResponse.FromJson($$"""{"jobId":"j","type":"scheduleDeviceMethod","status":"{{wire}}"}""").Status);

    [Theory]
    [InlineData("scheduleUpdateTwin", JobType.ScheduleUpdateTwin)]
    [InlineData("scheduleTwinUpdate", JobType.ScheduleUpdateTwin)]
    [InlineData("ScheduleDeviceMethod", JobType.ScheduleDeviceMethod)]
    [InlineData("export", JobType.ExportDevices)]
    [InlineData("import", JobType.ImportDevices)]
    [InlineData("backup", JobType.Unknown)]
    public void Job_type_wire_strings_are_read_with_the_documented_alias(string wire, JobType expected)
        => Assert.Equal(expected, JobResponse.FromJson($$"""{"jobId":"j","type":"{{wire}}","status":"queued"}""").Type);

    [Theory]
    [InlineData("canceled", DeviceJobStatus.Canceled)]
    [InlineData("cancelled", DeviceJobStatus.Canceled)]
    [InlineData("Pending", DeviceJobStatus.Pending)]
    public void Device_job_status_uses_one_l_and_accepts_two(string wire, DeviceJobStatus expected)
    {
        var job = JsonSerializer.Deserialize<DeviceJob>($$"""{"deviceId":"d","jobId":"j","jobType":"scheduleUpdateTwin","status":"{{wire}}"}""")!;
        Assert.Equal(expected, job.Status);
    }

    [Fact]
    public void An_unknown_device_job_status_is_a_clear_error()
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DeviceJob>("""{"deviceId":"d","jobId":"j","status":"exploded"}"""));
        Assert.Contains("pending", ex.Message);
    }

    [Fact]
    public void Enums_are_written_as_the_hubs_wire_strings()
    {
        var job = new JobResponse { JobId = "j", Type = JobType.ScheduleUpdateTwin, Status = JobStatus.Cancelled };
        var json = JsonNode.Parse(job.ToJson())!;
        Assert.Equal("scheduleUpdateTwin", (string?)json["type"]);
        Assert.Equal("cancelled", (string?)json["status"]);
        var deviceJob = JsonNode.Parse(new DeviceJob { Status = DeviceJobStatus.Canceled, JobType = JobType.ScheduleDeviceMethod }.ToJson())!;
        Assert.Equal("canceled", (string?)deviceJob["status"]);
        Assert.Equal("scheduleDeviceMethod", (string?)deviceJob["jobType"]);
    }

    [Theory]
    [InlineData(MethodJob)]
    [InlineData(TwinJob)]
    public void Job_json_round_trips_without_losing_members(string sample)
    {
        var original = JsonNode.Parse(sample)!.AsObject();
        var roundTripped = JsonNode.Parse(JobResponse.FromJson(sample).ToJson())!.AsObject();
        foreach (var (name, value) in original)
        {
            if (value is null) continue;
            Assert.True(roundTripped.ContainsKey(name), $"'{name}' was lost");
        }
        Assert.Equal((string?)original["type"], (string?)roundTripped["type"]);
        Assert.Equal((string?)original["status"], (string?)roundTripped["status"]);
        Assert.Equal(original["deviceJobStatistics"]!.ToJsonString(), roundTripped["deviceJobStatistics"]!.ToJsonString());
    }

    [Fact]
    public void Unknown_job_members_are_kept()
    {
        var job = JobResponse.FromJson("""{"jobId":"j","type":"scheduleUpdateTwin","status":"running","progress":40}""");
        Assert.Equal(40, job.AdditionalProperties!["progress"].GetInt32());
        Assert.Contains("\"progress\":40", job.ToJson());
    }
}
