using System.Diagnostics;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.IntegrationTests;

/// <summary>JobClient against a real emulator over HTTPS: what it sends is accepted, and what comes back reads right.</summary>
[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceJobClientTests(ServiceEmulatorFixture hub)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private JobClient Jobs() => JobClient.CreateFromConnectionString(hub.Emulator.ConnectionString("iothubowner"), hub.Options());

    private static string NewJobId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Polls the job until <paramref name="until"/> holds; a job can only be observed by asking.</summary>
    private static async Task<JobResponse> WaitForJobAsync(JobClient jobs, string jobId, Func<JobResponse, bool> until)
    {
        var clock = Stopwatch.StartNew();
        JobResponse? last = null;
        while (clock.Elapsed < Patience)
        {
            last = await jobs.GetJobAsync(jobId);
            if (until(last)) return last;
            await Task.Yield();
        }
        throw new TimeoutException($"Job {jobId} did not get there within {Patience}; last seen: {last?.ToJson()}");
    }

    private static bool Ended(JobResponse job) => job.Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    private async Task<(string A, string B)> TwoDevicesAsync(string prefix)
    {
        using var registry = hub.Registry();
        var a = ServiceEmulatorFixture.NewDeviceId(prefix);
        var b = ServiceEmulatorFixture.NewDeviceId(prefix);
        await registry.AddDeviceAsync(new Device(a));
        await registry.AddDeviceAsync(new Device(b));
        return (a, b);
    }

    [Fact]
    public async Task A_twin_update_job_writes_the_patch_into_every_targeted_twin_and_counts_them()
    {
        var (a, b) = await TwoDevicesAsync("twinjob");
        using var jobs = Jobs();
        using var registry = hub.Registry();
        var patch = new Twin(a) { ETag = "AAAAAAAAAAE=" };
        patch.Tags["site"] = "lab-7";
        patch.Properties.Desired["telemetryInterval"] = 15;
        var jobId = NewJobId("twin");

        var created = await jobs.ScheduleTwinUpdateAsync(jobId, $"deviceId IN ['{a}','{b}']", patch, DateTime.UtcNow, 300);

        Assert.Equal(jobId, created.JobId);
        Assert.Equal(JobType.ScheduleUpdateTwin, created.Type);
        Assert.Contains(created.Status, new[] { JobStatus.Queued, JobStatus.Running, JobStatus.Completed });
        var done = await WaitForJobAsync(jobs, jobId, Ended);
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(2, done.DeviceJobStatistics!.DeviceCount);
        Assert.Equal(2, done.DeviceJobStatistics.SucceededCount);
        Assert.Equal(0, done.DeviceJobStatistics.FailedCount);
        Assert.NotNull(done.CreatedTimeUtc);
        Assert.NotNull(done.EndTimeUtc);
        Assert.Equal(300, done.MaxExecutionTimeInSeconds);
        Assert.Equal(15L, done.UpdateTwin!.Properties.Desired["telemetryInterval"]);
        foreach (var id in new[] { a, b })
        {
            var twin = await registry.GetTwinAsync(id);
            Assert.Equal("lab-7", twin.Tags["site"]);
            Assert.Equal(15L, twin.Properties.Desired["telemetryInterval"]);
        }
    }

    [Fact]
    public async Task A_method_job_on_offline_devices_completes_with_each_device_failed()
    {
        var (a, b) = await TwoDevicesAsync("methodjob");
        using var jobs = Jobs();
        var jobId = NewJobId("method");
        var method = new CloudToDeviceMethod("reboot", TimeSpan.FromSeconds(10)).SetPayloadJson("""{"delay":0}""");

        var created = await jobs.ScheduleDeviceMethodAsync(jobId, $"deviceId IN ['{a}','{b}']", method, DateTime.UtcNow, 0);

        Assert.Equal(JobType.ScheduleDeviceMethod, created.Type);
        var done = await WaitForJobAsync(jobs, jobId, Ended);
        Assert.Equal(2, done.DeviceJobStatistics!.DeviceCount);
        Assert.Equal(2, done.DeviceJobStatistics.FailedCount);
        Assert.Equal("reboot", done.CloudToDeviceMethod!.MethodName);
        Assert.Equal(TimeSpan.FromSeconds(10), done.CloudToDeviceMethod.ResponseTimeout);
        Assert.Equal("""{"delay":0}""", done.CloudToDeviceMethod.GetPayloadAsJson());
    }

    [Fact]
    public async Task A_future_job_is_scheduled_and_can_be_cancelled()
    {
        using var jobs = Jobs();
        var patch = new Twin();
        patch.Properties.Desired["never"] = true;
        var jobId = NewJobId("later");

        var created = await jobs.ScheduleTwinUpdateAsync(jobId, "*", patch, DateTime.UtcNow.AddHours(1), 0);
        Assert.Equal(JobStatus.Scheduled, created.Status);

        var cancelled = await jobs.CancelJobAsync(jobId);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(JobStatus.Cancelled, (await jobs.GetJobAsync(jobId)).Status);
    }

    [Fact]
    public async Task The_job_query_filters_by_type_and_status_and_pages_through_every_job()
    {
        using var jobs = Jobs();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var patch = new Twin();
            patch.Properties.Desired["page"] = i;
            var jobId = NewJobId("paged");
            await jobs.ScheduleTwinUpdateAsync(jobId, "*", patch, DateTime.UtcNow.AddHours(1), 0);
            ids.Add(jobId);
        }
        try
        {
            var query = jobs.CreateQuery(JobType.ScheduleUpdateTwin, JobStatus.Scheduled, pageSize: 1);
            var seen = new List<JobResponse>();
            var pages = 0;
            await foreach (var page in query.ReadPagesAsync<JobResponse>())
            {
                pages++;
                Assert.True(page.Count <= 1);
                Assert.Equal(QueryResultType.JobResponse, page.ResultType);
                seen.AddRange(page);
            }
            Assert.All(seen, j => Assert.Equal((JobType.ScheduleUpdateTwin, JobStatus.Scheduled), (j.Type, j.Status)));
            Assert.Superset(ids.ToHashSet(), seen.Select(j => j.JobId).ToHashSet());
            Assert.True(pages >= 3);
            Assert.False(query.HasMoreResults);

            var methodsOnly = new List<JobResponse>();
            await foreach (var job in jobs.CreateQuery(JobType.ScheduleDeviceMethod, null).ReadAllAsync<JobResponse>())
                methodsOnly.Add(job);
            Assert.DoesNotContain(methodsOnly, j => ids.Contains(j.JobId));
        }
        finally
        {
            foreach (var id in ids) await jobs.CancelJobAsync(id);
        }
    }

    [Fact]
    public async Task Hub_errors_arrive_as_the_typed_exceptions()
    {
        using var jobs = Jobs();
        var missing = await Assert.ThrowsAsync<JobNotFoundException>(() => jobs.GetJobAsync(NewJobId("missing")));
        Assert.Equal(IotHubErrorCode.JobNotFound, missing.ErrorCode);

        var patch = new Twin();
        patch.Properties.Desired["x"] = 1;
        var badCondition = await Assert.ThrowsAsync<IotHubArgumentException>(() =>
            jobs.ScheduleTwinUpdateAsync(NewJobId("bad"), "deviceId = = 'x'", patch, DateTime.UtcNow, 0));
        Assert.Equal(400, badCondition.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(badCondition.Message));

        var jobId = NewJobId("twice");
        await jobs.ScheduleTwinUpdateAsync(jobId, "*", patch, DateTime.UtcNow.AddHours(1), 0);
        try
        {
            var duplicate = await Assert.ThrowsAsync<DeviceAlreadyExistsException>(() =>
                jobs.ScheduleTwinUpdateAsync(jobId, "*", patch, DateTime.UtcNow.AddHours(1), 0));
            Assert.Equal(409, duplicate.StatusCode);
            Assert.Equal("JobAlreadyExists", duplicate.ErrorName);
        }
        finally
        {
            await jobs.CancelJobAsync(jobId);
        }
    }
}
