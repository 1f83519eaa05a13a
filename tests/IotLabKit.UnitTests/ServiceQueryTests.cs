using System.Text.Json.Nodes;
using IotLabKit.Service;
using static IotLabKit.UnitTests.Service.ServiceScriptedHub;

namespace IotLabKit.UnitTests.Service;

/// <summary>RegistryManager.CreateQuery: the request, paging by continuation token, item types and the streaming helper.</summary>
public class ServiceQueryTests
{
    private const string TwinA = """{"deviceId":"a","etag":"AAAAAAAAAAE=","version":2,"tags":{"cheeseCave":"CheeseCave1"},"properties":{"desired":{"$version":1},"reported":{"$version":1}}}""";
    private const string TwinB = """{"deviceId":"b","etag":"AAAAAAAAAAE=","version":2,"tags":{"cheeseCave":"CheeseCave1"},"properties":{"desired":{"$version":1},"reported":{"$version":1}}}""";
    private const string TwinC = """{"deviceId":"c","etag":"AAAAAAAAAAE=","version":2,"properties":{"desired":{"$version":1},"reported":{"$version":1}}}""";

    private static (string, string) Type(string itemType) => ("x-ms-item-type", itemType);
    private static (string, string) More(string token) => ("x-ms-continuation", token);

    private static RegistryManager Registry(ServiceScriptedHub hub) => RegistryManager.CreateFromConnectionString(ConnectionString, hub.Options());

    [Fact]
    public async Task First_page_posts_the_query_with_the_page_size_and_no_continuation()
    {
        var hub = new ServiceScriptedHub(Ok($"[{TwinA}]", Type("Twin")));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'", 100);
        Assert.Empty(hub.Requests);
        Assert.True(query.HasMoreResults);

        var page = await query.GetNextAsTwinAsync();

        var r = Assert.Single(hub.Requests);
        Assert.Equal(HttpMethod.Post, r.Method);
        Assert.Equal($"{Base}devices/query?{ApiVersion}", r.Uri.AbsoluteUri);
        Assert.Equal("""{"query":"SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'"}""", r.Body);
        Assert.Equal("application/json; charset=utf-8", r.Header("Content-Type"));
        Assert.Equal("100", r.Header("x-ms-max-item-count"));
        Assert.Null(r.Header("x-ms-continuation"));
        Assert.Equal("a", Assert.Single(page).DeviceId);
        Assert.Equal("CheeseCave1", page[0].Tags["cheeseCave"]);
        Assert.Equal(QueryResultType.Twin, page.ResultType);
        Assert.Null(page.ContinuationToken);
        Assert.False(query.HasMoreResults);
    }

    [Fact]
    public async Task Without_a_page_size_no_max_item_count_header_is_sent()
    {
        var hub = new ServiceScriptedHub(Ok("[]", Type("Twin")));
        using var registry = Registry(hub);
        await registry.CreateQuery("SELECT * FROM devices").GetNextAsTwinAsync();
        Assert.Null(hub.Requests[0].Header("x-ms-max-item-count"));
    }

    [Fact]
    public async Task A_continuation_token_means_more_and_is_sent_back_until_a_page_has_none()
    {
        var hub = new ServiceScriptedHub(
            Ok($"[{TwinA}]", Type("Twin"), More("token+1/==")),
            Ok($"[{TwinB}]", Type("Twin"), More("token-2")),
            Ok($"[{TwinC}]", Type("Twin")));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT * FROM devices", 1);

        var ids = new List<string?>();
        var tokens = new List<string?>();
        while (query.HasMoreResults)
        {
            var page = await query.GetNextAsTwinAsync();
            ids.AddRange(page.Select(t => t.DeviceId));
            tokens.Add(page.ContinuationToken);
        }

        Assert.Equal(["a", "b", "c"], ids);
        Assert.Equal(["token+1/==", "token-2", null], tokens);
        Assert.Equal(3, hub.Requests.Count);
        Assert.Null(hub.Requests[0].Header("x-ms-continuation"));
        Assert.Equal("token+1/==", hub.Requests[1].Header("x-ms-continuation"));
        Assert.Equal("token-2", hub.Requests[2].Header("x-ms-continuation"));
        Assert.All(hub.Requests, r => Assert.Equal("1", r.Header("x-ms-max-item-count")));

        var after = await query.GetNextAsTwinAsync();
        Assert.Empty(after);
        Assert.Equal(3, hub.Requests.Count);
    }

    [Fact]
    public async Task An_empty_continuation_header_ends_the_query()
    {
        var hub = new ServiceScriptedHub(Ok($"[{TwinA}]", Type("Twin"), More("")));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT * FROM devices");
        await query.GetNextAsTwinAsync();
        Assert.False(query.HasMoreResults);
        Assert.Null(query.ContinuationToken);
    }

    [Fact]
    public async Task Query_options_continue_from_a_kept_token()
    {
        var hub = new ServiceScriptedHub(Ok($"[{TwinC}]", Type("Twin")));
        using var registry = Registry(hub);
        var page = await registry.CreateQuery("SELECT * FROM devices").GetNextAsTwinAsync(new QueryOptions { ContinuationToken = "kept" });
        Assert.Equal("kept", hub.Requests[0].Header("x-ms-continuation"));
        Assert.Equal("c", page[0].DeviceId);
    }

    [Fact]
    public async Task A_raw_page_read_as_twins_is_a_clear_error_and_the_same_page_can_then_be_read_as_json()
    {
        var hub = new ServiceScriptedHub(Ok("""[{"numberOfDevices":3,"status":"Success"}]""", Type("Raw"), More("next")));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT status, COUNT() AS numberOfDevices FROM devices GROUP BY status");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => query.GetNextAsTwinAsync());
        Assert.Contains("not Twin items", ex.Message);
        Assert.Contains("Raw", ex.Message);
        Assert.Contains("GetNextAsJsonAsync", ex.Message);
        Assert.True(query.HasMoreResults);
        Assert.Null(query.ContinuationToken);

        var json = await query.GetNextAsJsonAsync();
        Assert.Equal("""{"numberOfDevices":3,"status":"Success"}""", Assert.Single(json));
        Assert.Equal(QueryResultType.Raw, json.ResultType);
        Assert.Equal(2, hub.Requests.Count);
        Assert.Null(hub.Requests[1].Header("x-ms-continuation"));
        Assert.Equal("next", query.ContinuationToken);
    }

    [Theory]
    [InlineData("Twin", nameof(IQuery.GetNextAsDeviceJobAsync), "GetNextAsTwinAsync")]
    [InlineData("DeviceJob", nameof(IQuery.GetNextAsTwinAsync), "GetNextAsDeviceJobAsync")]
    [InlineData("JobResponse", nameof(IQuery.GetNextAsDeviceJobAsync), "GetNextAsJobResponseAsync")]
    [InlineData("Raw", nameof(IQuery.GetNextAsJobResponseAsync), "GetNextAsJsonAsync")]
    public async Task Each_typed_reader_refuses_other_item_types_and_names_the_right_one(string itemType, string reader, string suggested)
    {
        var hub = new ServiceScriptedHub(Ok("[]", Type(itemType)));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT * FROM devices");
        Task call = reader switch
        {
            nameof(IQuery.GetNextAsTwinAsync) => query.GetNextAsTwinAsync(),
            nameof(IQuery.GetNextAsDeviceJobAsync) => query.GetNextAsDeviceJobAsync(),
            _ => query.GetNextAsJobResponseAsync(),
        };
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => call);
        Assert.Contains(suggested, ex.Message);
    }

    [Fact]
    public async Task A_page_without_an_item_type_cannot_be_read_as_twins_but_can_as_json()
    {
        var hub = new ServiceScriptedHub(Ok($"[{TwinA}]"));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT * FROM devices");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => query.GetNextAsTwinAsync());
        Assert.Contains("no x-ms-item-type header", ex.Message);
        var nodes = await query.GetNextAsJsonNodeAsync();
        Assert.Equal("a", (string?)nodes[0]!["deviceId"]);
        Assert.Equal(QueryResultType.Unknown, nodes.ResultType);
    }

    [Theory]
    [InlineData("twin")]
    [InlineData("TWIN")]
    [InlineData(" Twin ")]
    public void Item_type_header_is_read_ignoring_case(string header)
        => Assert.Equal(QueryResultType.Twin, PagedQuery.ParseItemType(header));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Unknown")]
    [InlineData("Enrollment")]
    [InlineData("7")]
    public void Missing_or_unknown_item_types_are_unknown(string? header)
        => Assert.Equal(QueryResultType.Unknown, PagedQuery.ParseItemType(header));

    [Fact]
    public async Task Device_job_pages_are_read_with_their_outcomes()
    {
        const string items = """
            [{"deviceId":"d1","jobId":"j1","jobType":"scheduleDeviceMethod","status":"completed",
              "startTimeUtc":"2016-09-29T18:18:52.7418462Z","endTimeUtc":"2016-09-29T18:20:52.7418462Z",
              "createdDateTimeUtc":"2016-09-29T18:18:56.7787107Z","lastUpdatedDateTimeUtc":"2016-09-29T18:18:56.8894408Z",
              "outcome":{"deviceMethodResponse":{"status":200,"payload":{"rebooted":true}}}},
             {"deviceId":"d2","jobId":"j1","jobType":"scheduleDeviceMethod","status":"failed",
              "error":{"code":"DeviceNotOnline","description":"The device is not online."}}]
            """;
        var hub = new ServiceScriptedHub(Ok(items, Type("DeviceJob")));
        using var registry = Registry(hub);
        var page = await registry.CreateQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1'").GetNextAsDeviceJobAsync();

        Assert.Equal(2, page.Count);
        Assert.Equal(DeviceJobStatus.Completed, page[0].Status);
        Assert.Equal(JobType.ScheduleDeviceMethod, page[0].JobType);
        Assert.Equal(200, page[0].Outcome!.DeviceMethodResponse!.Status);
        Assert.Equal("""{"rebooted":true}""", page[0].Outcome!.DeviceMethodResponse!.GetPayloadAsJson());
        Assert.Equal(new DateTime(2016, 9, 29, 18, 18, 56, DateTimeKind.Utc).AddTicks(7787107), page[0].CreatedDateTimeUtc);
        Assert.Equal(DeviceJobStatus.Failed, page[1].Status);
        Assert.Equal("DeviceNotOnline", page[1].Error!.Code);
        Assert.Null(page[1].Outcome);
    }

    [Fact]
    public async Task ReadAllAsync_streams_every_page_in_order()
    {
        var hub = new ServiceScriptedHub(
            Ok($"[{TwinA},{TwinB}]", Type("Twin"), More("t1")),
            Ok("[]", Type("Twin"), More("t2")),
            Ok($"[{TwinC}]", Type("Twin")));
        using var registry = Registry(hub);
        var ids = new List<string?>();
        await foreach (var twin in registry.CreateQuery("SELECT * FROM devices", 2).ReadAllAsync<Twin>())
            ids.Add(twin.DeviceId);
        Assert.Equal(["a", "b", "c"], ids);
        Assert.Equal(3, hub.Requests.Count);
    }

    [Fact]
    public async Task ReadAllAsync_fetches_no_further_page_once_the_reader_stops()
    {
        var hub = new ServiceScriptedHub(Ok($"[{TwinA},{TwinB}]", Type("Twin"), More("t1")), Ok($"[{TwinC}]", Type("Twin")));
        using var registry = Registry(hub);
        await foreach (var twin in registry.CreateQuery("SELECT * FROM devices").ReadAllAsync<Twin>())
        {
            Assert.Equal("a", twin.DeviceId);
            break;
        }
        Assert.Single(hub.Requests);
    }

    [Fact]
    public async Task ReadAllAsync_reads_any_item_type_as_json_nodes_or_text()
    {
        var hub = new ServiceScriptedHub(Ok("""[{"total":7}]""", Type("Raw")));
        using var registry = Registry(hub);
        var nodes = new List<JsonNode?>();
        await foreach (var node in registry.CreateQuery("SELECT COUNT() AS total FROM devices").ReadAllAsync<JsonNode>())
            nodes.Add(node);
        Assert.Equal(7, (int)Assert.Single(nodes)!["total"]!);

        var texts = new List<string>();
        await foreach (var text in registry.CreateQuery("SELECT COUNT() AS total FROM devices").ReadAllAsync<string>())
            texts.Add(text);
        Assert.Equal("""{"total":7}""", Assert.Single(texts));
    }

    [Fact]
    public async Task ReadPagesAsync_gives_each_page_with_its_token()
    {
        var hub = new ServiceScriptedHub(Ok($"[{TwinA}]", Type("Twin"), More("t1")), Ok($"[{TwinB}]", Type("Twin")));
        using var registry = Registry(hub);
        var pages = new List<QueryResponse<Twin>>();
        await foreach (var page in registry.CreateQuery("SELECT * FROM devices").ReadPagesAsync<Twin>())
            pages.Add(page);
        Assert.Equal(["t1", null], pages.Select(p => p.ContinuationToken));
    }

    [Fact]
    public void ReadAllAsync_refuses_item_types_it_cannot_read_before_sending_anything()
    {
        var hub = new ServiceScriptedHub(Ok("[]", Type("Twin")));
        using var registry = Registry(hub);
        var ex = Assert.Throws<NotSupportedException>(() => registry.CreateQuery("SELECT * FROM devices").ReadAllAsync<int>());
        Assert.Contains("Twin, DeviceJob, JobResponse, string", ex.Message);
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public async Task A_hub_error_on_a_page_is_its_exception_and_leaves_the_query_where_it_was()
    {
        var hub = new ServiceScriptedHub(
            Ok($"[{TwinA}]", Type("Twin"), More("t1")),
            Error(400, "ArgumentInvalid", "The query is invalid. Please check the format of the query and try again."),
            Ok($"[{TwinB}]", Type("Twin")));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT * FROM devices");
        await query.GetNextAsTwinAsync();

        var ex = await Assert.ThrowsAsync<IotHubArgumentException>(() => query.GetNextAsTwinAsync());
        Assert.Equal("The query is invalid. Please check the format of the query and try again.", ex.Message);
        Assert.Equal("t1", query.ContinuationToken);

        var retry = await query.GetNextAsTwinAsync();
        Assert.Equal("b", retry[0].DeviceId);
        Assert.Equal("t1", hub.Requests[2].Header("x-ms-continuation"));
    }

    [Fact]
    public async Task Throttled_pages_are_retried_by_the_shared_plumbing()
    {
        var hub = new ServiceScriptedHub(Error(429, "ThrottlingException", "slow down"), Ok($"[{TwinA}]", Type("Twin")));
        using var registry = RegistryManager.CreateFromConnectionString(ConnectionString, hub.Options(maxAttempts: 2));
        var page = await registry.CreateQuery("SELECT * FROM devices").GetNextAsTwinAsync();
        Assert.Equal("a", page[0].DeviceId);
        Assert.Equal(2, hub.Requests.Count);
    }

    [Theory]
    [InlineData("""{"items":[]}""", "not the array")]
    [InlineData("not json", "is not JSON")]
    [InlineData("""[{"deviceId":"a","tags":[1]}]""", "Item 0")]
    public async Task A_page_that_is_not_an_array_of_the_items_is_a_clear_error(string body, string expected)
    {
        var hub = new ServiceScriptedHub(Ok(body, Type("Twin")));
        using var registry = Registry(hub);
        var ex = await Assert.ThrowsAsync<IotHubException>(() => registry.CreateQuery("SELECT * FROM devices").GetNextAsTwinAsync());
        Assert.Contains(expected, ex.Message);
        Assert.Contains("POST /devices/query", ex.Message);
    }

    [Fact]
    public async Task A_hub_that_hands_back_the_same_token_with_no_items_is_not_followed_forever()
    {
        var hub = new ServiceScriptedHub(Ok("[]", Type("Twin"), More("stuck")));
        using var registry = Registry(hub);
        var query = registry.CreateQuery("SELECT * FROM devices");
        await query.GetNextAsTwinAsync();
        var ex = await Assert.ThrowsAsync<IotHubException>(async () =>
        {
            await foreach (var _ in query.ReadAllAsync<Twin>()) { }
        });
        Assert.Contains("same continuation token", ex.Message);
        Assert.Equal(2, hub.Requests.Count);
    }

    [Fact]
    public void Bad_query_arguments_are_refused()
    {
        var hub = new ServiceScriptedHub(Ok("[]", Type("Twin")));
        using var registry = Registry(hub);
        Assert.Throws<ArgumentException>(() => registry.CreateQuery(" "));
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.CreateQuery("SELECT * FROM devices", 0));
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public void A_page_built_by_hand_is_a_plain_list()
    {
        var page = new QueryResponse<string>(["x", "y"], "");
        Assert.Equal(2, page.Count);
        Assert.Equal("y", page[1]);
        Assert.Null(page.ContinuationToken);
        Assert.Equal(QueryResultType.Unknown, page.ResultType);
    }
}
