using System.Net;
using System.Text.Json.Nodes;

namespace IotLabKit.IntegrationTests;

/// <summary>
/// <c>POST /devices/query</c> over real HTTPS: paging with <c>x-ms-continuation</c>, item types, errors in IoT Hub's
/// envelope, the 8192-character limit, immediate consistency, and the course's queries. Each test tags its own
/// devices with a run id and queries only those, so tests sharing the emulator do not see each other's twins.
/// </summary>
public sealed class QueryApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private sealed record Page(HttpStatusCode Status, JsonArray Items, string? ItemType, string? Continuation, bool HasContinuationHeader);

    private async Task<HttpResponseMessage> PostQueryAsync(string query, string? pageSize = null, string? continuation = null, string? token = null, string? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/devices/query?api-version=2021-04-12")
        {
            Content = new StringContent(body ?? new JsonObject { ["query"] = query }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", token ?? hub.Emulator.CreateServiceToken());
        if (pageSize is not null) request.Headers.TryAddWithoutValidation("x-ms-max-item-count", pageSize);
        if (continuation is not null) request.Headers.TryAddWithoutValidation("x-ms-continuation", continuation);
        return await hub.Http.SendAsync(request);
    }

    private async Task<Page> QueryPageAsync(string query, int? pageSize = null, string? continuation = null)
    {
        using var response = await PostQueryAsync(query, pageSize?.ToString(System.Globalization.CultureInfo.InvariantCulture), continuation);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 for {query}, got {(int)response.StatusCode}: {text}");
        EmulatorFixture.AssertJsonContentType(response);
        var hasHeader = response.Headers.TryGetValues("x-ms-continuation", out var values);
        return new Page(response.StatusCode, JsonNode.Parse(text)!.AsArray(),
            response.Headers.TryGetValues("x-ms-item-type", out var types) ? Assert.Single(types) : null,
            hasHeader ? Assert.Single(values!) : null, hasHeader);
    }

    private async Task<List<Page>> AllPagesAsync(string query, int pageSize)
    {
        var pages = new List<Page>();
        string? continuation = null;
        do
        {
            var page = await QueryPageAsync(query, pageSize, continuation);
            pages.Add(page);
            continuation = page.Continuation;
            Assert.True(pages.Count <= 1000, "paging did not end");
        }
        while (continuation is not null);
        return pages;
    }

    /// <summary>Creates devices in one bulk call, each with the given tags and reported properties.</summary>
    private async Task<string[]> CreateDevicesAsync(string run, int count, Func<int, JsonObject>? tags = null, Func<int, JsonObject>? reported = null)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{run}-{i:D3}").ToArray();
        foreach (var chunk in ids.Chunk(100))
        {
            var items = new JsonArray(chunk.Select(id =>
            {
                var i = Array.IndexOf(ids, id);
                var itemTags = tags?.Invoke(i) ?? new JsonObject();
                itemTags["run"] = run;
                var item = new JsonObject { ["id"] = id, ["importMode"] = "create", ["status"] = "enabled", ["tags"] = itemTags };
                if (reported is not null) item["properties"] = new JsonObject { ["reported"] = reported(i) };
                return (JsonNode)item;
            }).ToArray());
            using var response = await hub.SendAsync(HttpMethod.Post, "/devices", items.ToJsonString());
            var result = await EmulatorFixture.ReadOkAsync(response);
            Assert.True((bool)result["isSuccessful"]!, result.ToJsonString());
        }
        return ids;
    }

    private static string NewRun() => EmulatorFixture.NewId("q");

    [Fact]
    public async Task Paging_walks_every_page_and_the_last_page_has_no_continuation_header()
    {
        var run = NewRun();
        var ids = await CreateDevicesAsync(run, 25);

        var pages = await AllPagesAsync($"SELECT * FROM devices WHERE tags.run = '{run}'", pageSize: 10);

        Assert.Equal([10, 10, 5], pages.Select(p => p.Items.Count));
        Assert.All(pages[..^1], p => Assert.False(string.IsNullOrEmpty(p.Continuation)));
        Assert.False(pages[^1].HasContinuationHeader, "the last page must not carry x-ms-continuation at all");
        Assert.All(pages, p => Assert.Equal("Twin", p.ItemType));
        Assert.Equal(ids, pages.SelectMany(p => p.Items).Select(t => (string)t!["deviceId"]!));
    }

    [Fact]
    public async Task Query_twins_are_exactly_what_GET_twin_returns()
    {
        var run = NewRun();
        var id = (await CreateDevicesAsync(run, 1, reported: _ => new JsonObject { ["fw"] = "1.0.1" }))[0];
        using (var patch = await hub.SendAsync(HttpMethod.Patch, $"/twins/{id}", """{"properties":{"desired":{"speed":5}}}"""))
            await EmulatorFixture.ReadOkAsync(patch);
        using var get = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}");
        var twin = await EmulatorFixture.ReadOkAsync(get);

        var page = await QueryPageAsync($"SELECT * FROM devices WHERE deviceId = '{id}'");

        Assert.Equal(twin.ToJsonString(), Assert.Single(page.Items)!.ToJsonString());
    }

    [Fact]
    public async Task The_course_queries_work_end_to_end()
    {
        var run = NewRun();
        var ids = await CreateDevicesAsync(run, 4,
            tags: i => new JsonObject { ["cheeseCave"] = i < 2 ? "CheeseCave1" : "CheeseCave2" },
            reported: i => new JsonObject { ["firmware"] = new JsonObject { ["currentFwVersion"] = i % 2 == 0 ? "1.0.1" : "1.0.0" } });

        var cave = await QueryPageAsync($"SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1' AND tags.run = '{run}'");
        Assert.Equal("Twin", cave.ItemType);
        Assert.Equal(ids[..2], cave.Items.Select(t => (string)t!["deviceId"]!));

        var firmware = await QueryPageAsync($"SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1' AND tags.run = '{run}'");
        Assert.Equal("Raw", firmware.ItemType);
        Assert.Equal($$"""[{"deviceId":"{{ids[0]}}"},{"deviceId":"{{ids[2]}}"}]""", firmware.Items.ToJsonString());

        // No configurations exist yet: the system-metric query parses and matches nothing.
        var applied = await QueryPageAsync($"SELECT deviceId FROM devices WHERE configurations.[[firmwareupdate]].status='Applied' AND tags.run = '{run}'");
        Assert.Empty(applied.Items);
        Assert.False(applied.HasContinuationHeader);
    }

    [Fact]
    public async Task The_configuration_status_query_finds_the_devices_a_configuration_applied_to()
    {
        var run = NewRun();
        var ids = await CreateDevicesAsync(run, 4, tags: i => new JsonObject { ["fw"] = i < 3 ? "target" : "other" });
        var configId = "firmwareupdate-" + run.ToLowerInvariant();
        var configuration = new JsonObject
        {
            ["id"] = configId,
            ["content"] = new JsonObject { ["deviceContent"] = new JsonObject { ["properties.desired.firmware"] = new JsonObject { ["fwVersion"] = "1.0.1" } } },
            ["targetCondition"] = $"tags.run = '{run}' AND tags.fw = 'target'",
            ["priority"] = 10,
        };
        using (var put = await hub.SendAsync(HttpMethod.Put, $"/configurations/{configId}", configuration.ToJsonString()))
            await EmulatorFixture.ReadOkAsync(put);
        using (var evaluate = await hub.SendAsync(HttpMethod.Post, "/$iotlabkit/configurations/evaluate", ""))
            await EmulatorFixture.ReadOkAsync(evaluate);

        var applied = await QueryPageAsync($"SELECT deviceId FROM devices WHERE configurations.[[{configId}]].status = 'Applied'");
        Assert.Equal(ids[..3].Select(id => new JsonObject { ["deviceId"] = id }.ToJsonString()), applied.Items.Select(i => i!.ToJsonString()));

        var desired = await QueryPageAsync($"SELECT deviceId FROM devices WHERE tags.run = '{run}' AND properties.desired.firmware.fwVersion = '1.0.1'");
        Assert.Equal(3, desired.Items.Count);
    }

    [Fact]
    public async Task Item_types_follow_the_query()
    {
        var run = NewRun();
        await CreateDevicesAsync(run, 2);
        var where = $"WHERE tags.run = '{run}'";

        Assert.Equal("Twin", (await QueryPageAsync($"SELECT * FROM devices {where}")).ItemType);
        Assert.Equal("Raw", (await QueryPageAsync($"SELECT deviceId, tags.run AS r FROM devices {where}")).ItemType);
        var count = await QueryPageAsync($"SELECT COUNT() AS total FROM devices {where}");
        Assert.Equal("Raw", count.ItemType);
        Assert.Equal("""[{"total":2}]""", count.Items.ToJsonString());

        var jobs = await QueryPageAsync("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'none'");
        Assert.Equal("DeviceJob", jobs.ItemType);
        Assert.Empty(jobs.Items);
        var modules = await QueryPageAsync("SELECT * FROM devices.modules");
        Assert.Equal("Twin", modules.ItemType);
        Assert.Empty(modules.Items);
    }

    [Fact]
    public async Task Devices_jobs_lists_each_device_s_part_of_a_job_as_DeviceJob_items()
    {
        var run = NewRun();
        var ids = await CreateDevicesAsync(run, 3);
        var jobId = "job-" + run;
        var job = new JsonObject
        {
            ["jobId"] = jobId,
            ["type"] = "scheduleUpdateTwin",
            ["queryCondition"] = $"tags.run = '{run}'",
            ["updateTwin"] = new JsonObject { ["etag"] = "*", ["tags"] = new JsonObject { ["patched"] = true } },
            ["startTime"] = DateTime.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            ["maxExecutionTimeInSeconds"] = 300,
        };
        using (var put = await hub.SendAsync(HttpMethod.Put, $"/jobs/v2/{jobId}", job.ToJsonString()))
            await EmulatorFixture.ReadOkAsync(put);
        await Jobs.JobSupport.WaitForJobAsync(hub.Emulator, hub.Http, jobId, Jobs.JobSupport.Ended, TimeSpan.FromMinutes(2));

        var pages = await AllPagesAsync($"SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '{jobId}'", pageSize: 2);

        Assert.Equal([2, 1], pages.Select(p => p.Items.Count));
        Assert.All(pages, p => Assert.Equal("DeviceJob", p.ItemType));
        var items = pages.SelectMany(p => p.Items).Select(i => i!.AsObject()).ToList();
        Assert.Equal(ids, items.Select(i => (string)i["deviceId"]!));
        Assert.All(items, i => Assert.Equal("completed", (string?)i["status"]));
        Assert.All(items, i => Assert.Equal("scheduleUpdateTwin", (string?)i["jobType"]));

        var none = await QueryPageAsync($"SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '{jobId}' AND devices.jobs.status = 'failed'");
        Assert.Empty(none.Items);
        // The twin query still sees the job's write.
        Assert.Equal(3, (await QueryPageAsync($"SELECT * FROM devices WHERE tags.run = '{run}' AND tags.patched = true")).Items.Count);
    }

    [Fact]
    public async Task Group_by_pages_its_rows_and_aliases_name_them()
    {
        var run = NewRun();
        await CreateDevicesAsync(run, 10, tags: i => new JsonObject { ["floor"] = i % 5 });

        var pages = await AllPagesAsync($"SELECT tags.floor AS floor, COUNT() AS n FROM devices WHERE tags.run = '{run}' GROUP BY tags.floor", pageSize: 2);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Items.Count));
        Assert.False(pages[^1].HasContinuationHeader);
        Assert.Equal("""[{"n":2,"floor":0},{"n":2,"floor":1},{"n":2,"floor":2},{"n":2,"floor":3},{"n":2,"floor":4}]""",
            new JsonArray(pages.SelectMany(p => p.Items).Select(i => i!.DeepClone()).ToArray()).ToJsonString());
    }

    [Fact]
    public async Task Top_limits_the_rows_across_pages()
    {
        var run = NewRun();
        var ids = await CreateDevicesAsync(run, 10);

        var pages = await AllPagesAsync($"SELECT TOP 7 deviceId FROM devices WHERE tags.run = '{run}'", pageSize: 3);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(ids[..7], pages.SelectMany(p => p.Items).Select(t => (string)t!["deviceId"]!));
    }

    [Fact]
    public async Task A_page_size_above_1000_is_served_and_a_missing_one_means_100()
    {
        var run = NewRun();
        await CreateDevicesAsync(run, 150);
        var query = $"SELECT deviceId FROM devices WHERE tags.run = '{run}'";

        using var big = await PostQueryAsync(query, pageSize: "100000");
        Assert.Equal(HttpStatusCode.OK, big.StatusCode);
        Assert.Equal(150, JsonNode.Parse(await big.Content.ReadAsStringAsync())!.AsArray().Count);
        Assert.False(big.Headers.Contains("x-ms-continuation"));

        var first = await QueryPageAsync(query);
        Assert.Equal(100, first.Items.Count);
        Assert.NotNull(first.Continuation);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("ten")]
    [InlineData("1.5")]
    [InlineData("")]
    public async Task An_invalid_page_size_is_400_ArgumentInvalid(string pageSize)
    {
        using var response = await PostQueryAsync("SELECT * FROM devices", pageSize: pageSize);
        Assert.Contains("x-ms-max-item-count", await EmulatorFixture.AssertHubErrorAsync(response, 400, "ArgumentInvalid"));
    }

    [Fact]
    public async Task A_bad_query_is_400_in_the_hub_envelope_saying_where_and_what_was_expected()
    {
        using var response = await PostQueryAsync("SELECT * FORM devices");
        var message = await EmulatorFixture.AssertHubErrorAsync(response, 400, "ArgumentInvalid");
        Assert.Contains("position 10", message);
        Assert.Contains("expected FROM", message);
        Assert.Contains("'FORM'", message);
    }

    [Fact]
    public async Task Queries_longer_than_8192_characters_are_refused_and_8192_is_accepted()
    {
        const string prefix = "SELECT * FROM devices WHERE tags.x = '";
        var exact = prefix + new string('a', 8192 - prefix.Length - 1) + "'";
        Assert.Equal(8192, exact.Length);
        var exactPage = await QueryPageAsync(exact);
        Assert.Empty(exactPage.Items);

        using var response = await PostQueryAsync(exact + " ");
        Assert.Contains("8192", await EmulatorFixture.AssertHubErrorAsync(response, 400, "ArgumentInvalid"));
    }

    [Fact]
    public async Task Results_reflect_writes_immediately()
    {
        var run = NewRun();
        var id = (await CreateDevicesAsync(run, 1))[0];
        var query = $"SELECT deviceId, tags.color FROM devices WHERE tags.run = '{run}' AND tags.color = 'red'";
        Assert.Empty((await QueryPageAsync(query)).Items);

        using (var patch = await hub.SendAsync(HttpMethod.Patch, $"/twins/{id}", """{"tags":{"color":"red"}}"""))
            await EmulatorFixture.ReadOkAsync(patch);
        Assert.Equal($$"""[{"deviceId":"{{id}}","color":"red"}]""", (await QueryPageAsync(query)).Items.ToJsonString());

        using (var patch = await hub.SendAsync(HttpMethod.Patch, $"/twins/{id}", """{"tags":{"color":"blue"}}"""))
            await EmulatorFixture.ReadOkAsync(patch);
        Assert.Empty((await QueryPageAsync(query)).Items);

        using (var put = await hub.SendAsync(HttpMethod.Put, $"/twins/{id}", """{"tags":{"color":"red","run":"RUN"}}""".Replace("RUN", run, StringComparison.Ordinal), ifMatch: "\"*\""))
            await EmulatorFixture.ReadOkAsync(put);
        Assert.Single((await QueryPageAsync(query)).Items);

        using (var delete = await hub.SendAsync(HttpMethod.Delete, $"/devices/{id}", ifMatch: "\"*\""))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty((await QueryPageAsync(query)).Items);
    }

    [Fact]
    public async Task Paging_stays_consistent_while_twins_are_created_and_deleted_between_pages()
    {
        var run = NewRun();
        var ids = await CreateDevicesAsync(run, 30);
        var query = $"SELECT deviceId FROM devices WHERE tags.run = '{run}'";
        var first = await QueryPageAsync(query, pageSize: 10);

        // Between pages: delete one already sent and one not yet sent, and add one before and one after the cursor.
        foreach (var gone in new[] { ids[3], ids[20] })
        {
            using var delete = await hub.SendAsync(HttpMethod.Delete, $"/devices/{gone}", ifMatch: "\"*\"");
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        foreach (var added in new[] { $"{run}-000a", $"{run}-025a" })
        {
            await hub.CreateDeviceAsync(added);
            using var patch = await hub.SendAsync(HttpMethod.Patch, $"/twins/{added}", $$$"""{"tags":{"run":"{{{run}}}"}}""");
            await EmulatorFixture.ReadOkAsync(patch);
        }

        var rest = new List<string>();
        for (var continuation = first.Continuation; continuation is not null;)
        {
            var page = await QueryPageAsync(query, pageSize: 10, continuation);
            rest.AddRange(page.Items.Select(t => (string)t!["deviceId"]!));
            continuation = page.Continuation;
        }
        var seen = first.Items.Select(t => (string)t!["deviceId"]!).Concat(rest).ToList();

        Assert.Equal(seen.Count, seen.Distinct().Count());
        var survivors = ids.Where(id => id != ids[3] && id != ids[20]);
        Assert.All(survivors, id => Assert.Contains(id, seen));
        Assert.Contains($"{run}-025a", rest);
        Assert.DoesNotContain($"{run}-000a", seen);
        Assert.DoesNotContain(ids[20], seen);
    }

    [Theory]
    [InlineData("garbage!!")]
    [InlineData("eyJ2IjoxfQ")]
    [InlineData("eyJ2IjoxLCJxIjoiMDAwMDAwMDAwMDAwMDAwMCIsImsiOiJ4IiwibiI6MH0")]
    public async Task A_garbled_or_foreign_continuation_token_is_400_never_500(string token)
    {
        using var response = await PostQueryAsync("SELECT * FROM devices", continuation: token);
        Assert.Contains("continuation", await EmulatorFixture.AssertHubErrorAsync(response, 400, "ArgumentInvalid"));
    }

    [Fact]
    public async Task A_token_of_another_query_is_refused()
    {
        var run = NewRun();
        await CreateDevicesAsync(run, 3);
        var page = await QueryPageAsync($"SELECT * FROM devices WHERE tags.run = '{run}'", pageSize: 1);
        Assert.NotNull(page.Continuation);

        using var response = await PostQueryAsync($"SELECT deviceId FROM devices WHERE tags.run = '{run}'", continuation: page.Continuation);
        Assert.Contains("different query", await EmulatorFixture.AssertHubErrorAsync(response, 400, "ArgumentInvalid"));
    }

    [Fact]
    public async Task A_body_without_a_query_is_400_ArgumentNull_and_bad_json_is_IotHubFormatError()
    {
        using (var noQuery = await PostQueryAsync("", body: """{"sql":"SELECT * FROM devices"}"""))
            await EmulatorFixture.AssertHubErrorAsync(noQuery, 400, "ArgumentNull");
        using (var notJson = await PostQueryAsync("", body: """{"query":"""))
            await EmulatorFixture.AssertHubErrorAsync(notJson, 400, "IotHubFormatError");
        using (var notString = await PostQueryAsync("", body: """{"query":42}"""))
            await EmulatorFixture.AssertHubErrorAsync(notString, 400, "ArgumentInvalid");
    }

    [Fact]
    public async Task An_unpaired_surrogate_escape_is_400_IotHubFormatError_here_and_in_twin_writes()
    {
        using (var query = await PostQueryAsync("", body: """{"query":"SELECT * FROM devices WHERE tags.x = '\ud800'"}"""))
            Assert.Contains("surrogate", await EmulatorFixture.AssertHubErrorAsync(query, 400, "IotHubFormatError"));

        var id = EmulatorFixture.NewId("q");
        await hub.CreateDeviceAsync(id);
        using var patch = await hub.SendAsync(HttpMethod.Patch, $"/twins/{id}", """{"tags":{"\udc00key":1}}""");
        await EmulatorFixture.AssertHubErrorAsync(patch, 400, "IotHubFormatError");
    }

    [Fact]
    public async Task Querying_needs_ServiceConnect()
    {
        using var response = await PostQueryAsync("SELECT * FROM devices", token: hub.Emulator.CreateServiceToken("registryRead"));
        Assert.Contains("ServiceConnect", await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess"));

        using var service = await PostQueryAsync("SELECT COUNT() FROM devices", token: hub.Emulator.CreateServiceToken("service"));
        Assert.Equal(HttpStatusCode.OK, service.StatusCode);
    }
}
