using System.Net;
using System.Text.Json.Nodes;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests.Jobs;

/// <summary>Jobs v2 over real HTTPS against one emulator process: creation, validation, runs, cancel, query.</summary>
public sealed class JobApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<JsonObject> PutJobAsync(string jobId, string body)
    {
        using var response = await hub.SendAsync(HttpMethod.Put, $"/jobs/v2/{jobId}", body);
        return await EmulatorFixture.ReadOkAsync(response);
    }

    private Task<JsonObject> WaitAsync(string jobId, Func<JsonObject, bool> until)
        => JobSupport.WaitForJobAsync(hub.Emulator, hub.Http, jobId, until, Patience);

    private static string TwinJob(string jobId, string condition, string patch, string? startTime = null)
        => new JsonObject
        {
            ["jobId"] = jobId,
            ["type"] = "scheduleUpdateTwin",
            ["queryCondition"] = condition,
            ["updateTwin"] = JsonNode.Parse(patch),
            ["startTime"] = startTime,
            ["maxExecutionTimeInSeconds"] = 300,
        }.ToJsonString();

    [Fact]
    public async Task A_twin_update_job_updates_exactly_the_matching_twins_through_the_twin_core()
    {
        var site = EmulatorFixture.NewId("site");
        var targets = new[] { EmulatorFixture.NewId("jt"), EmulatorFixture.NewId("jt"), EmulatorFixture.NewId("jt") };
        var other = EmulatorFixture.NewId("jo");
        foreach (var id in targets.Append(other)) await hub.CreateDeviceAsync(id);
        foreach (var id in targets)
        {
            using var tag = await hub.SendAsync(HttpMethod.Patch, $"/twins/{id}", $$$"""{"tags":{"site":"{{{site}}}"}}""", ifMatch: "\"*\"");
            await EmulatorFixture.ReadOkAsync(tag);
        }

        var jobId = EmulatorFixture.NewId("job");
        var created = await PutJobAsync(jobId, TwinJob(jobId, $"tags.site = '{site}'",
            """{"etag":"*","tags":{"updatedBy":"job"},"properties":{"desired":{"telemetryInterval":5,"mode":{"eco":true}}}}"""));
        Assert.Equal(jobId, (string?)created["jobId"]);
        Assert.Equal("scheduleUpdateTwin", (string?)created["type"]);
        Assert.Contains((string?)created["status"], new[] { "queued", "running", "completed" });
        Assert.Equal(300, (long)created["maxExecutionTimeInSeconds"]!);
        Assert.Equal(5, (long)created["updateTwin"]!["properties"]!["desired"]!["telemetryInterval"]!);

        var done = await WaitAsync(jobId, JobSupport.Ended);
        Assert.Equal("completed", (string?)done["status"]);
        Assert.Equal(3, JobSupport.Stat(done, "deviceCount"));
        Assert.Equal(3, JobSupport.Stat(done, "succeededCount"));
        Assert.Equal(0, JobSupport.Stat(done, "failedCount"));
        Assert.Equal(0, JobSupport.Stat(done, "pendingCount"));
        Assert.Equal(0, JobSupport.Stat(done, "runningCount"));
        Assert.NotNull(done["endTime"]);

        foreach (var id in targets)
        {
            using var get = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}");
            var twin = await EmulatorFixture.ReadOkAsync(get);
            var desired = twin["properties"]!["desired"]!;
            Assert.Equal(5, (long)desired["telemetryInterval"]!);
            Assert.True((bool)desired["mode"]!["eco"]!);
            Assert.Equal(2, (long)desired["$version"]!);
            Assert.Equal(2, (long)desired["$metadata"]!["telemetryInterval"]!["$lastUpdatedVersion"]!);
            Assert.Equal("job", (string?)twin["tags"]!["updatedBy"]);
            Assert.Equal(site, (string?)twin["tags"]!["site"]);
        }
        using var untouched = await hub.SendAsync(HttpMethod.Get, $"/twins/{other}");
        var otherTwin = await EmulatorFixture.ReadOkAsync(untouched);
        Assert.Equal(1, (long)otherTwin["properties"]!["desired"]!["$version"]!);
        Assert.Null(otherTwin["tags"]!["updatedBy"]);
    }

    [Fact]
    public async Task A_job_scheduled_for_later_waits_and_can_be_cancelled()
    {
        var device = EmulatorFixture.NewId("js");
        await hub.CreateDeviceAsync(device);
        var jobId = EmulatorFixture.NewId("later");
        var start = DateTimeOffset.UtcNow.AddHours(1).ToString("o");
        var created = await PutJobAsync(jobId, TwinJob(jobId, $"deviceId = '{device}'", """{"properties":{"desired":{"later":true}}}""", start));
        Assert.Equal("scheduled", (string?)created["status"]);

        using (var get = await hub.SendAsync(HttpMethod.Get, $"/jobs/v2/{jobId}"))
        {
            var job = await EmulatorFixture.ReadOkAsync(get);
            Assert.Equal("scheduled", (string?)job["status"]);
            Assert.Equal(0, JobSupport.Stat(job, "deviceCount"));
        }

        using var cancel = await hub.SendAsync(HttpMethod.Post, $"/jobs/v2/{jobId}/cancel");
        var cancelled = await EmulatorFixture.ReadOkAsync(cancel);
        Assert.Equal("cancelled", (string?)cancelled["status"]);
        Assert.NotNull(cancelled["endTime"]);

        using var twinGet = await hub.SendAsync(HttpMethod.Get, $"/twins/{device}");
        Assert.Null((await EmulatorFixture.ReadOkAsync(twinGet))["properties"]!["desired"]!["later"]);

        // Cancelling an ended job changes nothing and says where it stands.
        using var again = await hub.SendAsync(HttpMethod.Post, $"/jobs/v2/{jobId}/cancel");
        Assert.Equal("cancelled", (string?)(await EmulatorFixture.ReadOkAsync(again))["status"]);
    }

    [Fact]
    public async Task A_method_job_without_connected_devices_fails_each_device_as_not_online_and_completes()
    {
        var device = EmulatorFixture.NewId("jm");
        await hub.CreateDeviceAsync(device);
        var jobId = EmulatorFixture.NewId("meth");
        var created = await PutJobAsync(jobId, new JsonObject
        {
            ["jobId"] = jobId,
            ["type"] = "scheduleDeviceMethod",
            ["queryCondition"] = $"deviceId IN ['{device}']",
            ["cloudToDeviceMethod"] = new JsonObject { ["methodName"] = "reboot", ["payload"] = new JsonObject { ["delay"] = 1 }, ["responseTimeoutInSeconds"] = 15 },
        }.ToJsonString());
        Assert.Equal("reboot", (string?)created["cloudToDeviceMethod"]!["methodName"]);
        Assert.Equal(15, (long)created["cloudToDeviceMethod"]!["responseTimeoutInSeconds"]!);
        Assert.Equal(0, (long)created["cloudToDeviceMethod"]!["connectTimeoutInSeconds"]!);
        Assert.Equal(3600, (long)created["maxExecutionTimeInSeconds"]!);

        var done = await WaitAsync(jobId, JobSupport.Ended);
        Assert.Equal("completed", (string?)done["status"]);
        Assert.Equal(1, JobSupport.Stat(done, "deviceCount"));
        Assert.Equal(1, JobSupport.Stat(done, "failedCount"));
        Assert.Equal(0, JobSupport.Stat(done, "succeededCount"));
    }

    [Fact]
    public async Task A_condition_that_matches_nothing_completes_with_no_devices()
    {
        var jobId = EmulatorFixture.NewId("none");
        await PutJobAsync(jobId, TwinJob(jobId, "tags.nothing = 'matches this'", """{"tags":{"x":1}}"""));
        var done = await WaitAsync(jobId, JobSupport.Ended);
        Assert.Equal("completed", (string?)done["status"]);
        Assert.Equal(0, JobSupport.Stat(done, "deviceCount"));
    }

    [Fact]
    public async Task A_duplicate_job_id_is_409_JobAlreadyExists()
    {
        var jobId = EmulatorFixture.NewId("dup");
        var body = TwinJob(jobId, "tags.none = 1", """{"tags":{"x":1}}""");
        await PutJobAsync(jobId, body);
        using var again = await hub.SendAsync(HttpMethod.Put, $"/jobs/v2/{jobId}", body);
        var message = await EmulatorFixture.AssertHubErrorAsync(again, 409, "JobAlreadyExists");
        Assert.Contains(jobId, message);
    }

    [Theory]
    [InlineData("""{"type":"scheduleTwinUpdate","queryCondition":"*","updateTwin":{"tags":{"a":1}}}""", 400, "GenericBadRequest", "scheduleUpdateTwin")]
    [InlineData("""{"queryCondition":"*","updateTwin":{"tags":{"a":1}}}""", 400, "GenericBadRequest", "no type")]
    [InlineData("""{"type":"scheduleUpdateTwin","updateTwin":{"tags":{"a":1}}}""", 400, "ArgumentNull", "queryCondition")]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"tags.a = ","updateTwin":{"tags":{"a":1}}}""", 400, "ArgumentInvalid", "queryCondition is invalid")]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"etag":"AAAAAAAAAAE=","tags":{"a":1}}}""", 412, "PreconditionFailed", "etag")]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*"}""", 400, "ArgumentNull", "updateTwin")]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"tags":{}}}""", 400, "ArgumentInvalid", "changes nothing")]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"properties":{"desired":{"a$b":1}}}}""", 400, "ArgumentInvalid", "a$b")]
    [InlineData("""{"type":"scheduleDeviceMethod","queryCondition":"*"}""", 400, "ArgumentNull", "cloudToDeviceMethod")]
    [InlineData("""{"type":"scheduleDeviceMethod","queryCondition":"*","cloudToDeviceMethod":{"methodName":"a b"}}""", 400, "ArgumentInvalid", "method name")]
    [InlineData("""{"type":"scheduleDeviceMethod","queryCondition":"*","cloudToDeviceMethod":{"methodName":"m","responseTimeoutInSeconds":301}}""", 400, "ArgumentInvalid", "responseTimeoutInSeconds")]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"tags":{"a":1}},"startTime":"tomorrow"}""", 400, "ArgumentInvalid", "startTime")]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"tags":{"a":1}},"maxExecutionTimeInSeconds":-1}""", 400, "ArgumentInvalid", "maxExecutionTimeInSeconds")]
    [InlineData("""{"jobId":"other","type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"tags":{"a":1}}}""", 400, "ArgumentInvalid", "does not match")]
    [InlineData("""[1]""", 400, "ArgumentInvalid", "JSON object")]
    public async Task Bad_job_requests_get_IoT_Hubs_error_and_create_nothing(string body, int status, string code, string messagePart)
    {
        var jobId = EmulatorFixture.NewId("bad");
        using var response = await hub.SendAsync(HttpMethod.Put, $"/jobs/v2/{jobId}", body);
        var message = await EmulatorFixture.AssertHubErrorAsync(response, status, code);
        Assert.Contains(messagePart, message);
        using var get = await hub.SendAsync(HttpMethod.Get, $"/jobs/v2/{jobId}");
        await EmulatorFixture.AssertHubErrorAsync(get, 404, "JobNotFound");
    }

    [Fact]
    public async Task Unknown_jobs_are_404_JobNotFound_for_get_and_cancel()
    {
        using var get = await hub.SendAsync(HttpMethod.Get, "/jobs/v2/no-such-job");
        await EmulatorFixture.AssertHubErrorAsync(get, 404, "JobNotFound");
        using var cancel = await hub.SendAsync(HttpMethod.Post, "/jobs/v2/no-such-job/cancel");
        await EmulatorFixture.AssertHubErrorAsync(cancel, 404, "JobNotFound");
    }

    [Fact]
    public async Task Job_calls_need_ServiceConnect()
    {
        using var response = await hub.SendAsync(HttpMethod.Get, "/jobs/v2/query", token: hub.Emulator.CreateServiceToken("registryReadWrite"));
        await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess");
    }

    [Fact]
    public async Task The_job_query_filters_by_type_and_status_in_any_case_and_pages_until_the_header_is_gone()
    {
        var later = DateTimeOffset.UtcNow.AddDays(1).ToString("o");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var jobId = EmulatorFixture.NewId("q");
            ids.Add(jobId);
            await PutJobAsync(jobId, TwinJob(jobId, "*", """{"tags":{"q":1}}""", later));
        }
        var methodJob = EmulatorFixture.NewId("qm");
        await PutJobAsync(methodJob, new JsonObject
        {
            ["type"] = "scheduleDeviceMethod",
            ["queryCondition"] = "*",
            ["cloudToDeviceMethod"] = new JsonObject { ["methodName"] = "m" },
            ["startTime"] = later,
        }.ToJsonString());

        try
        {
            var seen = new List<JsonObject>();
            string? continuation = null;
            var pages = 0;
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs/v2/query?api-version=2021-04-12&jobType=ScheduleUpdateTwin&jobStatus=SCHEDULED");
                request.Headers.TryAddWithoutValidation("Authorization", hub.Emulator.CreateServiceToken());
                request.Headers.TryAddWithoutValidation("x-ms-max-item-count", "2");
                if (continuation is not null) request.Headers.TryAddWithoutValidation("x-ms-continuation", continuation);
                using var response = await hub.Http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                EmulatorFixture.AssertJsonContentType(response);
                Assert.Equal("JobResponse", Assert.Single(response.Headers.GetValues("x-ms-item-type")));
                var page = JsonNode.Parse(text)!.AsArray();
                Assert.InRange(page.Count, 1, 2);
                seen.AddRange(page.Select(n => n!.AsObject()));
                continuation = response.Headers.TryGetValues("x-ms-continuation", out var values) ? values.Single() : null;
                pages++;
            } while (continuation is not null && pages < 100);

            Assert.All(seen, j => Assert.Equal("scheduleUpdateTwin", (string?)j["type"]));
            Assert.All(seen, j => Assert.Equal("scheduled", (string?)j["status"]));
            Assert.Equal(seen.Count, seen.Select(j => (string?)j["jobId"]).Distinct().Count());
            Assert.Subset(seen.Select(j => (string)j["jobId"]!).ToHashSet(), ids.ToHashSet());
            Assert.DoesNotContain(seen, j => (string?)j["jobId"] == methodJob);

            using var methods = await hub.SendAsync(HttpMethod.Get, "/jobs/v2/query?jobType=scheduleDeviceMethod&jobStatus=scheduled");
            var methodPage = JsonNode.Parse(await methods.Content.ReadAsStringAsync())!.AsArray();
            Assert.Contains(methodPage, j => (string?)j!["jobId"] == methodJob);
            Assert.False(methods.Headers.Contains("x-ms-continuation"));

            using var bad = await hub.SendAsync(HttpMethod.Get, "/jobs/v2/query?jobStatus=sleeping");
            await EmulatorFixture.AssertHubErrorAsync(bad, 400, "ArgumentInvalid");
        }
        finally
        {
            foreach (var id in ids.Append(methodJob))
            {
                using var cancel = await hub.SendAsync(HttpMethod.Post, $"/jobs/v2/{id}/cancel");
            }
        }
    }
}
