using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary>FROM devices.modules and FROM devices.jobs.</summary>
public sealed class CollectionTests
{
    private static readonly JsonObject ScanningModule = Doc("""
        {"deviceId":"device1","moduleId":"scanner","properties":{"desired":{"$version":1},"reported":{"status":"scanning","$version":2}}}
        """);

    private static readonly JsonObject IdleModule = Doc("""
        {"deviceId":"device2","moduleId":"scanner","properties":{"desired":{"$version":1},"reported":{"status":"idle","$version":2}}}
        """);

    private static readonly JsonObject OtherScanner = Doc("""
        {"deviceId":"device3","moduleId":"scanner","properties":{"desired":{"$version":1},"reported":{"status":"scanning","$version":2}}}
        """);

    private static readonly JsonObject Job1Device1 = Doc("""
        {"deviceId":"d1","jobId":"job1","jobType":"scheduleUpdateTwin","status":"completed",
         "startTimeUtc":"2024-05-01T10:00:00Z","endTimeUtc":"2024-05-01T10:00:05Z","createdTimeUtc":"2024-05-01T09:59:00Z",
         "createdDateTimeUtc":"2024-05-01T09:59:00Z","lastUpdatedDateTimeUtc":"2024-05-01T10:00:05Z","outcome":null}
        """);

    private static readonly JsonObject Job1Device2 = Doc("""
        {"deviceId":"d2","jobId":"job1","jobType":"scheduleUpdateTwin","status":"failed","createdTimeUtc":"2016-08-01T00:00:00Z",
         "error":{"code":"DeviceNotOnline","description":"offline"}}
        """);

    private static readonly JsonObject Job2Device1 = Doc("""
        {"deviceId":"d1","jobId":"job2","jobType":"scheduleDeviceMethod","status":"completed","createdTimeUtc":"2024-06-01T00:00:00Z",
         "outcome":{"deviceMethodResponse":{"status":200,"payload":{"ok":true}}}}
        """);

    private static ListSource Source() => new ListSource()
        .Add(QueryCollection.Devices, Twin("d1"), Twin("d2"))
        .Add(QueryCollection.DevicesModules, ScanningModule, IdleModule, OtherScanner)
        .Add(QueryCollection.DevicesJobs, Job1Device1, Job1Device2, Job2Device1);

    [Fact]
    public void Module_twins_by_reported_status_and_device()
    {
        var source = Source();
        var query = QueryParser.Parse("SELECT * FROM devices.modules WHERE properties.reported.status = 'scanning' AND deviceId IN ['device1', 'device2']");
        var result = query.Execute(source);

        Assert.Equal(QueryCollection.DevicesModules, query.Collection);
        Assert.Equal([QueryCollection.DevicesModules], source.Requested);
        Assert.Equal(QueryItemType.Twin, result.ItemType);
        Assert.Equal(Texts(ScanningModule), Texts(result));
    }

    [Fact]
    public void Module_queries_accept_the_devices_prefix_and_module_id()
    {
        var result = QueryParser.Parse("SELECT deviceId, moduleId FROM devices.modules WHERE devices.deviceId = 'device3' AND devices.moduleId = 'scanner'").Execute(Source());

        Assert.Equal(QueryItemType.Raw, result.ItemType);
        Assert.Equal("""[{"deviceId":"device3","moduleId":"scanner"}]""", Json(result));
    }

    [Fact]
    public void Module_queries_accept_the_devices_modules_prefix_and_aggregates()
    {
        Assert.Equal("""[{"n":2}]""", Json(QueryParser.Parse(
            "SELECT COUNT() AS n FROM devices.modules WHERE devices.modules.properties.reported.status = 'scanning'").Execute(Source())));
    }

    [Fact]
    public void Device_jobs_by_job_id()
    {
        var source = Source();
        var result = QueryParser.Parse("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'job1'").Execute(source);

        Assert.Equal([QueryCollection.DevicesJobs], source.Requested);
        Assert.Equal(QueryItemType.DeviceJob, result.ItemType);
        Assert.Equal("DeviceJob", result.ItemType.ToHeaderValue());
        Assert.Equal(Texts(Job1Device1, Job1Device2), Texts(result));
    }

    [Fact]
    public void Device_jobs_docs_example_with_dates_compared_as_strings()
    {
        var result = QueryParser.Parse(
            "SELECT * FROM devices.jobs WHERE devices.jobs.deviceId = 'd1' AND devices.jobs.status = 'completed' AND devices.jobs.createdTimeUtc > '2016-09-01'")
            .Execute(Source());

        Assert.Equal(Texts(Job1Device1, Job2Device1), Texts(result));
    }

    [Fact]
    public void Device_jobs_paths_without_the_prefix_and_into_outcome()
    {
        var result = QueryParser.Parse("SELECT TOP 5 * FROM devices.jobs WHERE outcome.deviceMethodResponse.status = 200 OR error.code = 'DeviceNotOnline'")
            .Execute(Source());

        Assert.Equal(Texts(Job1Device2, Job2Device1), Texts(result));
    }

    [Theory]
    [InlineData("SELECT deviceId FROM devices.jobs", "FROM devices.jobs supports only SELECT *")]
    [InlineData("SELECT COUNT() FROM devices.jobs", "FROM devices.jobs supports only SELECT *")]
    [InlineData("SELECT * FROM devices.jobs GROUP BY devices.jobs.status", "GROUP BY is not supported FROM devices.jobs")]
    public void Device_jobs_allow_only_select_star(string query, string message)
    {
        var error = Assert.Throws<QuerySemanticException>(() => QueryParser.Parse(query));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parsed_query_describes_itself()
    {
        var query = QueryParser.Parse("SELECT TOP 10 deviceId FROM devices WHERE tags.x = 1");

        Assert.Equal(QueryCollection.Devices, query.Collection);
        Assert.Equal(10, query.Top);
        Assert.False(query.SelectsAll);
        Assert.True(query.HasCondition);
        Assert.False(query.IsAggregate);
        Assert.Equal(QueryItemType.Raw, query.ItemType);
        Assert.Equal("SELECT TOP 10 deviceId FROM devices WHERE tags.x = 1", query.Text);
        Assert.Equal("devices.jobs", QueryCollection.DevicesJobs.ToQueryText());
    }

    [Fact]
    public void One_parsed_query_runs_on_many_threads()
    {
        var twins = Enumerable.Range(0, 2000).Select(i => Twin($"d{i}", tags: $$"""{"n":{{i % 10}}}""")).ToArray();
        var query = QueryParser.Parse("SELECT tags.n, COUNT() AS c FROM devices WHERE tags.n >= 5 GROUP BY tags.n");
        var expected = Json(query.Execute(twins));

        var results = new string[8];
        Parallel.For(0, results.Length, i => results[i] = Json(query.Execute(twins)));

        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.Equal("""[{"c":200,"n":5},{"c":200,"n":6},{"c":200,"n":7},{"c":200,"n":8},{"c":200,"n":9}]""", expected);
    }
}
