using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests;

/// <summary>Automatic device configurations over real HTTPS against a real emulator process.</summary>
public sealed class ConfigurationApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private const string EvaluatePath = "/$iotlabkit/configurations/evaluate";

    private static string Body(string? target = "", int priority = 0, string content = """{"properties.desired.mode":"eco"}""",
        string metrics = "{}", string labels = "{}", string extra = "")
        => $$"""{"content":{"deviceContent":{{content}}},"targetCondition":{{(target is null ? "null" : JsonValue.Create(target)!.ToJsonString())}},"priority":{{priority}},"metrics":{"queries":{{metrics}}},"labels":{{labels}}{{extra}}}""";

    private async Task<JsonObject> CreateAsync(string id, string body)
    {
        using var response = await hub.SendAsync(HttpMethod.Put, $"/configurations/{id}", body);
        return await EmulatorFixture.ReadOkAsync(response);
    }

    private async Task<JsonObject> GetAsync(string path)
    {
        using var response = await hub.SendAsync(HttpMethod.Get, path);
        return await EmulatorFixture.ReadOkAsync(response);
    }

    private async Task<JsonObject> EvaluateAsync()
    {
        using var response = await hub.SendAsync(HttpMethod.Post, EvaluatePath, "");
        return await EmulatorFixture.ReadOkAsync(response);
    }

    private async Task<string> DeviceAsync(string prefix, string? tags = null)
    {
        var id = EmulatorFixture.NewId(prefix);
        await hub.CreateDeviceAsync(id);
        if (tags is not null)
        {
            using var patch = await hub.SendAsync(HttpMethod.Patch, $"/twins/{id}", $$"""{"tags":{{tags}}}""");
            await EmulatorFixture.ReadOkAsync(patch);
        }
        return id;
    }

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_created_configuration_reads_back_in_IoT_Hubs_shape()
    {
        var id = EmulatorFixture.NewId("shape");
        var created = await CreateAsync(id, Body(target: "deviceId='sensor-th-0155'", priority: 10,
            content: """{"properties.desired.firmware":{"fwVersion":"1.0.1","fwPackageURI":"https://MyPackage.uri","fwPackageCheckValue":"1234"}}""",
            metrics: """{"fwupdated":"SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'"}""",
            labels: """{"lab":"16"}"""));

        Assert.Equal(id, (string?)created["id"]);
        Assert.Equal("1.0.1", (string?)created["content"]!["deviceContent"]!["properties.desired.firmware"]!["fwVersion"]);
        Assert.Equal("deviceId='sensor-th-0155'", (string?)created["targetCondition"]);
        Assert.Equal(10, (int)created["priority"]!);
        Assert.Equal("16", (string?)created["labels"]!["lab"]);
        Assert.Equal("assignment", (string?)created["contentType"]);
        var etag = Encoding.ASCII.GetString(Convert.FromBase64String((string)created["etag"]!));
        Assert.Matches("^[0-9]+$", etag);
        Assert.Equal("select deviceId from devices where deviceId='sensor-th-0155'", (string?)created["systemMetrics"]!["queries"]!["targetedCount"]);
        Assert.Equal($"select deviceId from devices where configurations.[[{id}]].status = 'Applied'", (string?)created["systemMetrics"]!["queries"]!["appliedCount"]);
        Assert.Equal(0, (long)created["systemMetrics"]!["results"]!["targetedCount"]!);
        Assert.Equal(0, (long)created["metrics"]!["results"]!["fwupdated"]!);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$", (string)created["createdTimeUtc"]!);

        var read = await GetAsync($"/configurations/{id}");
        Assert.Equal(created["etag"]!.ToJsonString(), read["etag"]!.ToJsonString());
        Assert.Equal(created["content"]!.ToJsonString(), read["content"]!.ToJsonString());
        var listed = (await ListAsync("/configurations")).Single(c => (string?)c!["id"] == id);
        Assert.Equal(created["targetCondition"]!.ToJsonString(), listed!["targetCondition"]!.ToJsonString());
    }

    private async Task<JsonArray> ListAsync(string path)
    {
        using var response = await hub.SendAsync(HttpMethod.Get, path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsArray();
    }

    [Fact]
    public async Task List_honours_top_and_the_trailing_slash_the_CSharp_SDK_sends()
    {
        await CreateAsync(EmulatorFixture.NewId("list"), Body(target: ""));
        await CreateAsync(EmulatorFixture.NewId("list"), Body(target: ""));
        Assert.Single(await ListAsync("/configurations/?top=1"));
        Assert.True((await ListAsync("/configurations")).Count >= 2);
    }

    [Fact]
    public async Task Creating_an_existing_id_is_409_and_the_CLIs_body_etag_is_tolerated()
    {
        var id = EmulatorFixture.NewId("dup");
        await CreateAsync(id, Body(extra: ""","etag":"*","schemaVersion":"2.0" """));
        using var again = await hub.SendAsync(HttpMethod.Put, $"/configurations/{id}", Body());
        await EmulatorFixture.AssertHubErrorAsync(again, 409, "ConfigurationAlreadyExists");
    }

    [Fact]
    public async Task Updates_check_the_etag_and_may_not_touch_the_content()
    {
        var id = EmulatorFixture.NewId("upd");
        var created = await CreateAsync(id, Body(priority: 1, labels: """{"a":"1"}"""));
        var etag = (string)created["etag"]!;

        using (var stale = await hub.SendAsync(HttpMethod.Put, $"/configurations/{id}", Body(priority: 2), ifMatch: "\"bm90LWl0\""))
            await EmulatorFixture.AssertHubErrorAsync(stale, 412, "PreconditionFailed");

        // What an SDK sends back: the whole configuration as read, a few fields changed.
        created["priority"] = 5;
        created["targetCondition"] = "tags.ring = 'one'";
        created["labels"] = new JsonObject { ["b"] = "2" };
        created["metrics"] = new JsonObject { ["queries"] = new JsonObject { ["ring"] = "SELECT deviceId FROM devices WHERE tags.ring = 'one'" } };
        using (var ok = await hub.SendAsync(HttpMethod.Put, $"/configurations/{id}", created.ToJsonString(), ifMatch: $"\"{etag}\""))
        {
            var updated = await EmulatorFixture.ReadOkAsync(ok);
            Assert.Equal(5, (int)updated["priority"]!);
            Assert.Equal("tags.ring = 'one'", (string?)updated["targetCondition"]);
            Assert.Equal("""{"b":"2"}""", updated["labels"]!.ToJsonString());
            Assert.Equal(0, (long)updated["metrics"]!["results"]!["ring"]!);
            Assert.NotEqual(etag, (string?)updated["etag"]);
            Assert.Equal(created["createdTimeUtc"]!.ToJsonString(), updated["createdTimeUtc"]!.ToJsonString());
        }

        created["content"] = new JsonObject { ["deviceContent"] = new JsonObject { ["properties.desired.mode"] = "turbo" } };
        using (var content = await hub.SendAsync(HttpMethod.Put, $"/configurations/{id}", created.ToJsonString(), ifMatch: "\"*\""))
        {
            var message = await EmulatorFixture.AssertHubErrorAsync(content, 400, "CannotModifyImmutableConfigurationContent");
            Assert.Contains("only targetCondition, priority, labels and metrics", message);
        }
        using (var missing = await hub.SendAsync(HttpMethod.Put, $"/configurations/{EmulatorFixture.NewId("none")}", Body(), ifMatch: "\"*\""))
            await EmulatorFixture.AssertHubErrorAsync(missing, 404, "ConfigurationNotFound");
    }

    [Fact]
    public async Task Delete_answers_204_then_the_configuration_is_gone()
    {
        var id = EmulatorFixture.NewId("del");
        await CreateAsync(id, Body());
        using (var delete = await hub.SendAsync(HttpMethod.Delete, $"/configurations/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var get = await hub.SendAsync(HttpMethod.Get, $"/configurations/{id}"))
            await EmulatorFixture.AssertHubErrorAsync(get, 404, "ConfigurationNotFound");
        using (var again = await hub.SendAsync(HttpMethod.Delete, $"/configurations/{id}", ifMatch: "\"*\""))
            await EmulatorFixture.AssertHubErrorAsync(again, 404, "ConfigurationNotFound");
    }

    public static TheoryData<string, string, int, string, string> BadConfigurations => new()
    {
        { "Upper", Body(), 400, "ArgumentInvalid", "lowercase" },
        { "ok", Body(target: "tags.env = "), 400, "InvalidConfigurationTargetCondition", "Query syntax error" },
        { "ok", Body(target: "FROM devices.modules WHERE moduleId = 'm'"), 400, "InvalidConfigurationTargetCondition", "Module configurations" },
        { "ok", """{"content":{"moduleContent":{"properties.desired.x":1}},"targetCondition":"*"}""", 400, "InvalidConfigurationContent", "content.moduleContent" },
        { "ok", """{"content":{"modulesContent":{"$edgeAgent":{}}},"targetCondition":"*"}""", 400, "InvalidConfigurationContent", "IoT Edge" },
        { "ok", Body(content: """{"tags.env":"x"}"""), 400, "InvalidConfigurationContent", "start with 'properties.desired'" },
        { "ok", Body(metrics: """{"bad":"SELECT FROM devices"}"""), 400, "InvalidConfigurationCustomMetricsQuery", "custom metric 'bad'" },
        { "ok", Body(metrics: """{"a":"SELECT deviceId FROM devices","b":"SELECT deviceId FROM devices","c":"SELECT deviceId FROM devices","d":"SELECT deviceId FROM devices","e":"SELECT deviceId FROM devices","f":"SELECT deviceId FROM devices"}"""), 400, "InvalidConfigurationCustomMetricsQuery", "at most 5" },
        { "ok", Body(priority: -1), 400, "ArgumentInvalid", "priority" },
        { "ok", Body(labels: """{"a b":"x"}"""), 400, "ArgumentInvalid", "label name" },
        { "ok", Body(extra: ""","id":"other" """), 400, "ArgumentInvalid", "does not match" },
        { "ok", "[1]", 400, "ArgumentInvalid", "must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task Bad_configurations_get_IoT_Hubs_error_with_a_clear_message(string idPrefix, string body, int status, string code, string text)
    {
        var id = idPrefix == "ok" ? EmulatorFixture.NewId("bad") : idPrefix + Guid.NewGuid().ToString("N")[..6];
        using var response = await hub.SendAsync(HttpMethod.Put, $"/configurations/{id}", body);
        var message = await EmulatorFixture.AssertHubErrorAsync(response, status, code);
        Assert.Contains(text, message);
    }

    [Fact]
    public async Task Content_larger_than_the_desired_limit_is_refused()
    {
        var big = string.Join(",", Enumerable.Range(0, 9).Select(i => $"\"properties.desired.p{i}\":\"{new string('x', 4000)}\""));
        using var response = await hub.SendAsync(HttpMethod.Put, $"/configurations/{EmulatorFixture.NewId("big")}", Body(content: "{" + big + "}"));
        Assert.Contains("32768", await EmulatorFixture.AssertHubErrorAsync(response, 400, "InvalidConfigurationContent"));
    }

    [Fact]
    public async Task Test_queries_reports_each_query_that_does_not_parse()
    {
        using var response = await hub.SendAsync(HttpMethod.Post, "/configurations/testQueries",
            """{"targetCondition":"tags.env = 'test'","customMetricQueries":{"good":"SELECT deviceId FROM devices","bad":"SELECT deviceId FROM"}}""");
        var result = await EmulatorFixture.ReadOkAsync(response);
        Assert.Equal("", (string?)result["targetConditionError"]);
        var errors = result["customMetricQueryErrors"]!.AsObject();
        Assert.Single(errors);
        Assert.Contains("custom metric 'bad'", (string?)errors["bad"]);

        using var badTarget = await hub.SendAsync(HttpMethod.Post, "/configurations/testQueries", """{"targetCondition":"tags.env ="}""");
        Assert.StartsWith("The target condition is invalid", (string?)(await EmulatorFixture.ReadOkAsync(badTarget))["targetConditionError"]);
    }

    [Fact]
    public async Task An_evaluation_writes_content_into_targeted_twins_only_and_counts_the_metrics()
    {
        var tag = Tag();
        var a = await DeviceAsync("eva", $$"""{"cohort":"{{tag}}"}""");
        var b = await DeviceAsync("evb", $$"""{"cohort":"{{tag}}"}""");
        var outside = await DeviceAsync("evc");
        var id = EmulatorFixture.NewId("eval");
        await CreateAsync(id, Body(target: $"tags.cohort = '{tag}'", priority: 3, content: """{"properties.desired.telemetry":{"interval":30}}""",
            metrics: $$"""{"thirty":"SELECT deviceId FROM devices WHERE properties.desired.telemetry.interval = 30 AND tags.cohort = '{{tag}}'"}"""));

        var evaluation = await EvaluateAsync();
        Assert.True((int)evaluation["twinCount"]! >= 3);

        foreach (var device in new[] { a, b })
        {
            var twin = await GetAsync($"/twins/{device}");
            Assert.Equal(30, (int)twin["properties"]!["desired"]!["telemetry"]!["interval"]!);
            Assert.Equal(2, (long)twin["properties"]!["desired"]!["$version"]!);
            Assert.Equal("Applied", (string?)twin["configurations"]![id]!["status"]);
        }
        var untouched = await GetAsync($"/twins/{outside}");
        Assert.Null(untouched["properties"]!["desired"]!["telemetry"]);
        Assert.Null(untouched["configurations"]?[id]);

        var configuration = await GetAsync($"/configurations/{id}");
        Assert.Equal(2, (long)configuration["systemMetrics"]!["results"]!["targetedCount"]!);
        Assert.Equal(2, (long)configuration["systemMetrics"]!["results"]!["appliedCount"]!);
        Assert.Equal(2, (long)configuration["metrics"]!["results"]!["thirty"]!);

        // Nothing changed, so a second evaluation writes nothing: the desired $version stays.
        await EvaluateAsync();
        Assert.Equal(2, (long)(await GetAsync($"/twins/{a}"))["properties"]!["desired"]!["$version"]!);
    }

    [Fact]
    public async Task The_higher_priority_wins_whatever_the_creation_order_and_removal_leaves_values()
    {
        var tag = Tag();
        var device = await DeviceAsync("prio", $$"""{"cohort":"{{tag}}"}""");
        var high = EmulatorFixture.NewId("high");
        var low = EmulatorFixture.NewId("low");
        await CreateAsync(high, Body(target: $"tags.cohort = '{tag}'", priority: 20, content: """{"properties.desired.mode":"turbo","properties.desired.onlyHigh":true}"""));
        await CreateAsync(low, Body(target: $"tags.cohort = '{tag}'", priority: 1, content: """{"properties.desired.mode":"eco"}"""));
        await EvaluateAsync();

        var twin = await GetAsync($"/twins/{device}");
        Assert.Equal("turbo", (string?)twin["properties"]!["desired"]!["mode"]);
        Assert.Equal("Applied", (string?)twin["configurations"]![high]!["status"]);
        Assert.Equal("Targeted", (string?)twin["configurations"]![low]!["status"]);
        Assert.Equal(0, (long)(await GetAsync($"/configurations/{low}"))["systemMetrics"]!["results"]!["appliedCount"]!);

        using (var delete = await hub.SendAsync(HttpMethod.Delete, $"/configurations/{high}"))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await EvaluateAsync();

        twin = await GetAsync($"/twins/{device}");
        Assert.Equal("eco", (string?)twin["properties"]!["desired"]!["mode"]);
        Assert.True((bool)twin["properties"]!["desired"]!["onlyHigh"]!, "values a deleted configuration wrote stay in the twin");
        Assert.Null(twin["configurations"]![high]);
        Assert.Equal("Applied", (string?)twin["configurations"]![low]!["status"]);
    }

    [Fact]
    public async Task A_configuration_change_is_evaluated_without_the_admin_call()
    {
        var tag = Tag();
        var device = await DeviceAsync("auto", $$"""{"cohort":"{{tag}}"}""");
        var id = EmulatorFixture.NewId("auto");
        await CreateAsync(id, Body(target: $"tags.cohort = '{tag}'", content: """{"properties.desired.auto":"yes"}"""));

        var twin = await WaitForAsync(() => GetAsync($"/twins/{device}"), t => (string?)t["properties"]!["desired"]!["auto"] == "yes");
        Assert.Equal("Applied", (string?)twin["configurations"]![id]!["status"]);
    }

    [Fact]
    public async Task The_evaluate_call_needs_registry_write()
    {
        using var response = await hub.SendAsync(HttpMethod.Post, EvaluatePath, "", token: hub.Emulator.CreateServiceToken("registryRead"));
        await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess");
    }

    // Waits on a condition the emulator reaches by itself, checking again after each short pause, up to a deadline.
    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            try { await Task.Delay(50, deadline.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"The condition was not met in time; last value: {value}"); }
        }
    }
}

/// <summary>Configuration tests that need an emulator of their own (limits, restarts, the schedule).</summary>
public sealed class ConfigurationLifecycleTests
{
    private static async Task<HttpResponseMessage> SendAsync(EmulatorProcess emulator, HttpClient http, HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, path + (path.Contains('?') ? "&" : "?") + "api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task The_101st_configuration_is_refused_with_413()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        using var http = emulator.CreateHttpClient();
        for (var i = 0; i < 100; i++)
        {
            using var ok = await SendAsync(emulator, http, HttpMethod.Put, $"/configurations/c{i}", """{"targetCondition":""}""");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var refused = await SendAsync(emulator, http, HttpMethod.Put, "/configurations/c100", """{"targetCondition":""}""");
        Assert.Contains("maximum quota 100", await EmulatorFixture.AssertHubErrorAsync(refused, 413, "ConfigurationCountLimitExceeded"));
    }

    [Fact]
    public async Task Configurations_metrics_and_twin_statuses_survive_a_restart_without_rewriting_twins()
    {
        await using var emulator = await EmulatorProcess.StartAsync();
        string twinBefore, configurationBefore;
        using (var http = emulator.CreateHttpClient())
        {
            using (var device = await SendAsync(emulator, http, HttpMethod.Put, "/devices/keep", "{}")) await EmulatorFixture.ReadOkAsync(device);
            using (var create = await SendAsync(emulator, http, HttpMethod.Put, "/configurations/keep",
                """{"content":{"deviceContent":{"properties.desired.kept":1}},"targetCondition":"*","priority":4,"metrics":{"queries":{"m":"SELECT deviceId FROM devices WHERE properties.desired.kept = 1"}}}"""))
                await EmulatorFixture.ReadOkAsync(create);
            using (var evaluate = await SendAsync(emulator, http, HttpMethod.Post, "/$iotlabkit/configurations/evaluate", "")) await EmulatorFixture.ReadOkAsync(evaluate);
            using (var twin = await SendAsync(emulator, http, HttpMethod.Get, "/twins/keep")) twinBefore = (await EmulatorFixture.ReadOkAsync(twin)).ToJsonString();
            using (var cfg = await SendAsync(emulator, http, HttpMethod.Get, "/configurations/keep")) configurationBefore = (await EmulatorFixture.ReadOkAsync(cfg)).ToJsonString();
        }
        Assert.Contains("\"Applied\"", twinBefore);
        Assert.Contains("\"m\":1", configurationBefore);

        await emulator.RestartAsync();
        using var after = emulator.CreateHttpClient();
        using (var evaluate = await SendAsync(emulator, after, HttpMethod.Post, "/$iotlabkit/configurations/evaluate", ""))
            Assert.Equal(0, (int)(await EmulatorFixture.ReadOkAsync(evaluate))["updatedTwinCount"]!);
        using (var twin = await SendAsync(emulator, after, HttpMethod.Get, "/twins/keep"))
            Assert.Equal(twinBefore, (await EmulatorFixture.ReadOkAsync(twin)).ToJsonString());
        using (var cfg = await SendAsync(emulator, after, HttpMethod.Get, "/configurations/keep"))
            Assert.Equal(configurationBefore, (await EmulatorFixture.ReadOkAsync(cfg)).ToJsonString());
    }

    [Fact]
    public async Task Twin_changes_are_picked_up_on_the_configured_interval()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions
        {
            InMemory = true,
            ExtraArguments = ["--config-evaluation-interval", "1s"],
        });
        using var http = emulator.CreateHttpClient();
        using (var create = await SendAsync(emulator, http, HttpMethod.Put, "/configurations/ring",
            """{"content":{"deviceContent":{"properties.desired.ring":"joined"}},"targetCondition":"tags.ring = 'one'"}"""))
            await EmulatorFixture.ReadOkAsync(create);
        using (var device = await SendAsync(emulator, http, HttpMethod.Put, "/devices/late", "{}")) await EmulatorFixture.ReadOkAsync(device);
        // Tagged after the configuration: only a scheduled evaluation can pick it up.
        using (var tag = await SendAsync(emulator, http, HttpMethod.Patch, "/twins/late", """{"tags":{"ring":"one"}}""")) await EmulatorFixture.ReadOkAsync(tag);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var get = await SendAsync(emulator, http, HttpMethod.Get, "/twins/late");
            var twin = await EmulatorFixture.ReadOkAsync(get);
            if ((string?)twin["properties"]!["desired"]!["ring"] == "joined") break;
            await Task.Delay(100, deadline.Token);
        }
    }
}
