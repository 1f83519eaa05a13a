using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Jobs;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator.Jobs;

/// <summary>The pure rules: statistics, pacing, wire names and request validation.</summary>
public sealed class JobRulesTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(JobStatus.Scheduled, 0, 0, 0, 0, 0, 0, 0, 0)]
    [InlineData(JobStatus.Running, 10, 3, 1, 2, 1, 3, 2, 4)]
    [InlineData(JobStatus.Completed, 10, 7, 3, 0, 3, 7, 0, 0)]
    [InlineData(JobStatus.Cancelled, 10, 3, 1, 2, 7, 3, 0, 0)]
    [InlineData(JobStatus.Failed, 10, 3, 1, 2, 7, 3, 0, 0)]
    public void Statistics_always_add_up_to_the_device_count(JobStatus status, int targets, int succeeded, int failed, int running,
        int expectFailed, int expectSucceeded, int expectRunning, int expectPending)
    {
        var s = JobStatistics.Compute(status, targets, succeeded, failed, running);
        Assert.Equal(new JobStatistics(targets, expectFailed, expectSucceeded, expectRunning, expectPending), s);
        Assert.Equal(s.DeviceCount, s.SucceededCount + s.FailedCount + s.RunningCount + s.PendingCount);
    }

    [Fact]
    public void Pacing_lets_operation_n_start_after_n_over_rate_seconds()
    {
        Assert.Equal(TimeSpan.Zero, JobPacer.Delay(0, 10, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(1), JobPacer.Delay(10, 10, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMilliseconds(400), JobPacer.Delay(10, 10, TimeSpan.FromMilliseconds(600)));
        Assert.Equal(TimeSpan.Zero, JobPacer.Delay(10, 10, TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.Zero, JobPacer.Delay(1_000_000, 0, TimeSpan.Zero));
        Assert.Equal(500, new JobPacer(0, TimeProvider.System).BatchSize(500));
        Assert.Equal(1, new JobPacer(10, TimeProvider.System).BatchSize(500));
        Assert.Equal(200, new JobPacer(2000, TimeProvider.System).BatchSize(500));
    }

    [Theory]
    [InlineData("scheduleUpdateTwin", true)]
    [InlineData("ScheduleDeviceMethod", true)]
    [InlineData("SCHEDULEUPDATETWIN", true)]
    [InlineData("scheduleTwinUpdate", false)]
    [InlineData("0", false)]
    [InlineData(null, false)]
    public void Job_types_read_in_any_case_and_nothing_else(string? text, bool valid)
        => Assert.Equal(valid, JobWireNames.TryParseType(text, out _));

    [Theory]
    [InlineData("cancelled", JobStatus.Cancelled)]
    [InlineData("Canceled", JobStatus.Cancelled)]
    [InlineData("COMPLETED", JobStatus.Completed)]
    [InlineData("queued", JobStatus.Queued)]
    public void Job_statuses_read_in_any_case(string text, JobStatus expected)
    {
        Assert.True(JobWireNames.TryParseStatus(text, out var status));
        Assert.Equal(expected, status);
        Assert.False(JobWireNames.TryParseStatus("sleeping", out _));
        Assert.Equal("cancelled", JobWireNames.Of(JobStatus.Cancelled));
        Assert.Equal("canceled", JobWireNames.Of(DeviceJobStatus.Canceled));
    }

    private static JobDefinition Parse(string json) => JobRequest.Parse("j1", JsonNode.Parse(json)!.AsObject(), Now);

    [Fact]
    public void A_request_gets_defaults_and_a_start_time_in_the_past_means_now()
    {
        var job = Parse("""{"type":"scheduleDeviceMethod","queryCondition":"*","cloudToDeviceMethod":{"methodName":"m","payload":null,"responseTimeoutInSeconds":null},"startTime":"2000-01-01T00:00:00Z"}""");
        Assert.Equal(Now, job.StartTime);
        Assert.Equal(JobRequest.DefaultMaxExecutionTimeInSeconds, job.MaxExecutionTimeInSeconds);
        Assert.Equal(new MethodJobCall("m", null, 30, 0), job.Method);

        var later = Parse("""{"type":"scheduleUpdateTwin","queryCondition":"tags.a = 1","updateTwin":{"etag":null,"tags":{"a":2}},"startTime":"2025-06-01T13:00:00+01:00","maxExecutionTimeInSeconds":60}""");
        Assert.Equal(Now, later.StartTime);
        Assert.Equal(60, later.MaxExecutionTimeInSeconds);
        Assert.Equal(2, (long)later.TwinWrite.Tags!["a"]!);
    }

    [Theory]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"etag":"\"AAAA\"","tags":{"a":1}}}""", IotHubErrorCode.PreconditionFailed)]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"etag":7,"tags":{"a":1}}}""", IotHubErrorCode.PreconditionFailed)]
    [InlineData("""{"type":"bogus","queryCondition":"*"}""", IotHubErrorCode.GenericBadRequest)]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"FROM devices.modules WHERE moduleId = 'm'","updateTwin":{"tags":{"a":1}}}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"SELECT * FROM devices","updateTwin":{"tags":{"a":1}}}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":"x"}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"type":"scheduleDeviceMethod","queryCondition":"*","cloudToDeviceMethod":{"methodName":"m","connectTimeoutInSeconds":301}}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"type":"scheduleDeviceMethod","queryCondition":"*","cloudToDeviceMethod":{"methodName":"m","responseTimeoutInSeconds":4}}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"type":"scheduleDeviceMethod","queryCondition":"*","cloudToDeviceMethod":{"methodName":""}}""", IotHubErrorCode.ArgumentInvalid)]
    public void Bad_requests_fail_with_IoT_Hubs_code(string json, IotHubErrorCode code)
        => Assert.Equal(code, Assert.Throws<HubException>(() => Parse(json)).Code);

    [Fact]
    public void A_twin_patch_that_breaks_a_twin_limit_fails_the_request_not_each_device()
    {
        var deep = "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 12)) + "1" + new string('}', 13);
        var ex = Assert.Throws<HubException>(() => Parse("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"properties":{"desired":""" + deep + "}}}"));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, ex.Code);
    }

    [Fact]
    public void Job_ids_follow_the_device_id_rules_so_keys_cannot_collide()
    {
        JobRequest.RequireValidJobId("job-01:a.b");
        Assert.Throws<HubException>(() => JobRequest.RequireValidJobId("a/b"));
        Assert.Throws<HubException>(() => JobRequest.RequireValidJobId(new string('x', 129)));
    }
}
