using System.Diagnostics;
using System.Text.Json.Nodes;
using IotLabKit.Service;

namespace IotLabKit.IntegrationTests;

/// <summary>RegistryManager.CreateQuery against a real emulator: paging, item types, aggregates and device-job results.</summary>
[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceQueryClientTests(ServiceEmulatorFixture hub)
{
    /// <summary>Registers <paramref name="count"/> devices tagged with a cohort no other test uses; returns the cohort and ids.</summary>
    private async Task<(string Cohort, List<string> Ids)> CohortAsync(int count)
    {
        var cohort = Guid.NewGuid().ToString("N");
        using var registry = hub.Registry();
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = ServiceEmulatorFixture.NewDeviceId("q");
            await registry.AddDeviceAsync(new Device(id));
            var tags = new Twin();
            tags.Tags["cohort"] = cohort;
            tags.Tags["n"] = i;
            await registry.UpdateTwinAsync(id, tags, "*");
            ids.Add(id);
        }
        return (cohort, ids);
    }

    [Fact]
    public async Task Twins_come_page_by_page_until_the_hub_stops_giving_a_continuation_token()
    {
        var (cohort, ids) = await CohortAsync(5);
        using var registry = hub.Registry();
        var query = registry.CreateQuery($"SELECT * FROM devices WHERE tags.cohort = '{cohort}'", 2);

        var seen = new List<string?>();
        var sizes = new List<int>();
        while (query.HasMoreResults)
        {
            var page = await query.GetNextAsTwinAsync();
            Assert.Equal(QueryResultType.Twin, page.ResultType);
            Assert.All(page, t => Assert.Equal(cohort, t.Tags["cohort"]));
            sizes.Add(page.Count);
            seen.AddRange(page.Select(t => t.DeviceId));
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.All(sizes, s => Assert.InRange(s, 0, 2));
        Assert.True(sizes.Count >= 3, $"5 twins in pages of 2 came in {sizes.Count} page(s)");
        Assert.Null(query.ContinuationToken);
    }

    [Fact]
    public async Task The_labs_query_reads_tagged_twins_in_one_call()
    {
        var (cohort, ids) = await CohortAsync(2);
        using var registry = hub.Registry();
        var twins = await registry.CreateQuery($"SELECT * FROM devices WHERE tags.cohort = '{cohort}'", 100).GetNextAsTwinAsync();
        Assert.Equal(ids.Order(StringComparer.Ordinal), twins.Select(t => t.DeviceId).Order(StringComparer.Ordinal));
        Assert.All(twins, t => Assert.False(string.IsNullOrEmpty(t.ETag)));
    }

    [Fact]
    public async Task A_projection_is_raw_so_reading_it_as_twins_fails_clearly_and_json_reads_it()
    {
        var (cohort, ids) = await CohortAsync(2);
        using var registry = hub.Registry();
        var query = registry.CreateQuery($"SELECT deviceId, tags.n AS n FROM devices WHERE tags.cohort = '{cohort}'");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => query.GetNextAsTwinAsync());
        Assert.Contains("Raw", ex.Message);

        var rows = await query.GetNextAsJsonNodeAsync();
        Assert.Equal(QueryResultType.Raw, rows.ResultType);
        Assert.Equal(ids.Order(StringComparer.Ordinal), rows.Select(r => (string?)r!["deviceId"]).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.InRange((int)r!["n"]!, 0, 1));
    }

    [Fact]
    public async Task An_aggregate_streams_as_json()
    {
        var (cohort, _) = await CohortAsync(3);
        using var registry = hub.Registry();
        var rows = new List<JsonNode?>();
        await foreach (var row in registry.CreateQuery($"SELECT COUNT() AS total FROM devices WHERE tags.cohort = '{cohort}'").ReadAllAsync<JsonNode>())
            rows.Add(row);
        Assert.Equal(3, (int)Assert.Single(rows)!["total"]!);
    }

    [Fact]
    public async Task ReadAllAsync_streams_every_twin_across_pages()
    {
        var (cohort, ids) = await CohortAsync(4);
        using var registry = hub.Registry();
        var seen = new List<string?>();
        await foreach (var twin in registry.CreateQuery($"SELECT * FROM devices WHERE tags.cohort = '{cohort}'", 1).ReadAllAsync<Twin>())
            seen.Add(twin.DeviceId);
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_jobs_per_device_results_read_as_device_jobs()
    {
        var (cohort, ids) = await CohortAsync(2);
        using var jobs = JobClient.CreateFromConnectionString(hub.Emulator.ConnectionString("iothubowner"), hub.Options());
        var jobId = $"q-{cohort}";
        var patch = new Twin();
        patch.Properties.Desired["mode"] = "eco";
        await jobs.ScheduleTwinUpdateAsync(jobId, $"tags.cohort = '{cohort}'", patch, DateTime.UtcNow, 0);
        var clock = Stopwatch.StartNew();
        while ((await jobs.GetJobAsync(jobId)).Status is not (JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"job {jobId} did not end");
            await Task.Yield();
        }

        using var registry = hub.Registry();
        var page = await registry.CreateQuery($"SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '{jobId}'").GetNextAsDeviceJobAsync();

        Assert.Equal(QueryResultType.DeviceJob, page.ResultType);
        Assert.Equal(ids.Order(StringComparer.Ordinal), page.Select(j => j.DeviceId).Order(StringComparer.Ordinal));
        Assert.All(page, j =>
        {
            Assert.Equal(jobId, j.JobId);
            Assert.Equal(JobType.ScheduleUpdateTwin, j.JobType);
            Assert.Equal(DeviceJobStatus.Completed, j.Status);
            Assert.NotNull(j.CreatedDateTimeUtc);
        });
    }

    [Fact]
    public async Task A_malformed_query_is_an_argument_error_with_the_hubs_message()
    {
        using var registry = hub.Registry();
        var query = registry.CreateQuery("SELECT * FROM devices WHERE");
        var ex = await Assert.ThrowsAsync<IotHubArgumentException>(() => query.GetNextAsTwinAsync());
        Assert.Equal(400, ex.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.True(query.HasMoreResults);
    }
}
