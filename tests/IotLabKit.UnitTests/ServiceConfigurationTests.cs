using System.Collections;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;
using IotLabKit.Service;
using static IotLabKit.UnitTests.Service.ServiceScriptedHub;

namespace IotLabKit.UnitTests.Service;

/// <summary>RegistryManager's configuration calls: requests, the configuration JSON both ways, and the errors.</summary>
public class ServiceConfigurationTests
{
    private const string FirmwareConfiguration = """
        {"id":"firmwareupdate","schemaVersion":"1.0","labels":{"course":"az220"},
         "content":{"deviceContent":{"properties.desired.firmware":{"fwVersion":"1.0.1","fwPackageCheckValue":"1234","retries":3,"ratio":0.5,"enabled":true,"stages":["download","apply"]}},
                    "moduleContent":{},"modulesContent":{}},
         "contentType":"assignment","targetCondition":"deviceId='sensor-th-0155'",
         "createdTimeUtc":"2023-01-10T09:00:00.1234567Z","lastUpdatedTimeUtc":"2023-01-10T09:05:00Z","priority":10,
         "systemMetrics":{"results":{"targetedCount":1,"appliedCount":1},
                          "queries":{"targetedCount":"select deviceId from devices where deviceId='sensor-th-0155'",
                                     "appliedCount":"select deviceId from devices where configurations.[[firmwareupdate]].status = 'Applied'"}},
         "metrics":{"results":{"fwupdated":1},
                    "queries":{"fwupdated":"select deviceid from devices where configurations.[[firmwareupdate]].status='Applied' and properties.reported.firmware.currentFwVersion='1.0.1'"}},
         "etag":"MQ=="}
        """;

    private const string EdgeDeployment = """
        {"id":"edge-deploy","schemaVersion":"1.0","labels":{},
         "content":{"modulesContent":{"$edgeAgent":{"properties.desired":{"schemaVersion":"1.1","runtime":{"type":"docker"}}},
                                      "$edgeHub":{"properties.desired":{"schemaVersion":"1.1","routes":{}}}}},
         "targetCondition":"tags.environment='prod'","createdTimeUtc":"2023-02-01T00:00:00Z","lastUpdatedTimeUtc":"2023-02-01T00:00:00Z","priority":1,
         "systemMetrics":{"results":{"appliedCount":0,"reportedSuccessfulCount":0},"queries":{"appliedCount":"select deviceId from devices.modules where moduleId = '$edgeAgent' and configurations.[[edge-deploy]].status = 'Applied'"}},
         "metrics":{"results":{},"queries":{}},"etag":"Mg=="}
        """;

    private static RegistryManager Registry(ServiceScriptedHub hub) => RegistryManager.CreateFromConnectionString(ConnectionString, hub.Options());

    private static Configuration NewFirmwareConfiguration()
    {
        var configuration = new Configuration("firmwareupdate") { TargetCondition = "deviceId='sensor-th-0155'", Priority = 10 };
        configuration.Labels["course"] = "az220";
        configuration.Content.DeviceContent["properties.desired.firmware"] = new Dictionary<string, object?> { ["fwVersion"] = "1.0.1", ["fwPackageCheckValue"] = "1234" };
        configuration.Metrics.Queries["fwupdated"] = "select deviceid from devices where configurations.[[firmwareupdate]].status='Applied'";
        return configuration;
    }

    [Fact]
    public async Task Add_puts_the_configuration_in_the_shape_microsofts_client_sends_without_if_match()
    {
        var hub = new ServiceScriptedHub(Ok(FirmwareConfiguration));
        using var registry = Registry(hub);

        var created = await registry.AddConfigurationAsync(NewFirmwareConfiguration());

        var r = Assert.Single(hub.Requests);
        Assert.Equal(HttpMethod.Put, r.Method);
        Assert.Equal($"{Base}configurations/firmwareupdate?{ApiVersion}", r.Uri.AbsoluteUri);
        Assert.Null(r.Header("If-Match"));
        var body = JsonNode.Parse(r.Body!)!.AsObject();
        Assert.Equal("firmwareupdate", (string?)body["id"]);
        Assert.Equal("1.0", (string?)body["schemaVersion"]);
        Assert.Equal("assignment", (string?)body["contentType"]);
        Assert.Equal("az220", (string?)body["labels"]!["course"]);
        Assert.Equal("deviceId='sensor-th-0155'", (string?)body["targetCondition"]);
        Assert.Equal(10, (int)body["priority"]!);
        Assert.Equal("""{"modulesContent":{},"moduleContent":{},"deviceContent":{"properties.desired.firmware":{"fwVersion":"1.0.1","fwPackageCheckValue":"1234"}}}""", body["content"]!.ToJsonString());
        Assert.Equal("""{"results":{},"queries":{}}""", body["systemMetrics"]!.ToJsonString());
        Assert.Equal("select deviceid from devices where configurations.[[firmwareupdate]].status='Applied'", (string?)body["metrics"]!["queries"]!["fwupdated"]);
        Assert.Equal("0001-01-01T00:00:00", (string?)body["createdTimeUtc"]);
        Assert.False(body.ContainsKey("etag"));
        Assert.Equal("MQ==", created.ETag);
    }

    [Fact]
    public async Task Get_reads_every_field_with_content_values_as_plain_dotnet_values()
    {
        var hub = new ServiceScriptedHub(Ok(FirmwareConfiguration));
        using var registry = Registry(hub);

        var c = (await registry.GetConfigurationAsync("firmwareupdate"))!;

        Assert.Equal(HttpMethod.Get, hub.Requests[0].Method);
        Assert.Equal($"{Base}configurations/firmwareupdate?{ApiVersion}", hub.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("firmwareupdate", c.Id);
        Assert.Equal("1.0", c.SchemaVersion);
        Assert.Equal("az220", c.Labels["course"]);
        Assert.Equal("deviceId='sensor-th-0155'", c.TargetCondition);
        Assert.Equal(10, c.Priority);
        Assert.Equal(new DateTime(2023, 1, 10, 9, 0, 0, DateTimeKind.Utc).AddTicks(1234567), c.CreatedTimeUtc);
        Assert.Equal(new DateTime(2023, 1, 10, 9, 5, 0, DateTimeKind.Utc), c.LastUpdatedTimeUtc);
        Assert.Equal("MQ==", c.ETag);
        Assert.Equal(1, c.SystemMetrics.Results["targetedCount"]);
        Assert.Equal(1, c.SystemMetrics.Results["appliedCount"]);
        Assert.Contains("[[firmwareupdate]]", c.SystemMetrics.Queries["appliedCount"]);
        Assert.Equal(1, c.Metrics.Results["fwupdated"]);

        var firmware = Assert.IsType<Dictionary<string, object?>>(c.Content.DeviceContent["properties.desired.firmware"]);
        Assert.Equal("1.0.1", firmware["fwVersion"]);
        Assert.Equal(3L, firmware["retries"]);
        Assert.Equal(0.5, firmware["ratio"]);
        Assert.Equal(true, firmware["enabled"]);
        Assert.Equal(new object?[] { "download", "apply" }, firmware["stages"]);
        Assert.Empty(c.Content.ModuleContent);
        Assert.Empty(c.Content.ModulesContent);
    }

    [Fact]
    public async Task Get_gives_null_for_ConfigurationNotFound_but_throws_for_other_errors()
    {
        using (var registry = Registry(new ServiceScriptedHub(Error(404, "ConfigurationNotFound", "Configuration nope not found."))))
            Assert.Null(await registry.GetConfigurationAsync("nope"));
        using (var registry = Registry(new ServiceScriptedHub(Error(401, "IotHubUnauthorizedAccess", "Unauthorized"))))
            await Assert.ThrowsAsync<UnauthorizedException>(() => registry.GetConfigurationAsync("c1"));
    }

    [Fact]
    public async Task List_uses_the_trailing_slash_and_top()
    {
        var hub = new ServiceScriptedHub(Ok($"[{FirmwareConfiguration},{EdgeDeployment}]"));
        using var registry = Registry(hub);
        var all = (await registry.GetConfigurationsAsync(20)).ToList();
        Assert.Equal(["firmwareupdate", "edge-deploy"], all.Select(c => c.Id));
        Assert.Equal($"{Base}configurations/?top=20&{ApiVersion}", hub.Requests[0].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Update_sends_the_etag_quoted_or_star_when_forced()
    {
        var hub = new ServiceScriptedHub(Ok(FirmwareConfiguration));
        using var registry = Registry(hub);
        var read = Configuration.FromJson(FirmwareConfiguration);
        read.Priority = 20;

        await registry.UpdateConfigurationAsync(read);
        await registry.UpdateConfigurationAsync(NewFirmwareConfiguration(), forceUpdate: true);

        Assert.All(hub.Requests, r => Assert.Equal(HttpMethod.Put, r.Method));
        Assert.Equal("\"MQ==\"", hub.Requests[0].Header("If-Match"));
        Assert.Equal(20, (int)JsonNode.Parse(hub.Requests[0].Body!)!["priority"]!);
        Assert.Equal("\"*\"", hub.Requests[1].Header("If-Match"));
    }

    [Fact]
    public async Task A_stale_etag_is_PreconditionFailedException()
    {
        var hub = new ServiceScriptedHub(Error(412, "PreconditionFailed", "The etag does not match."));
        using var registry = Registry(hub);
        var ex = await Assert.ThrowsAsync<PreconditionFailedException>(() => registry.UpdateConfigurationAsync(Configuration.FromJson(FirmwareConfiguration)));
        Assert.Equal(IotHubErrorCode.PreconditionFailed, ex.ErrorCode);
    }

    [Fact]
    public async Task Remove_by_id_is_unconditional_and_by_configuration_uses_its_etag()
    {
        var hub = new ServiceScriptedHub(Status(204));
        using var registry = Registry(hub);
        await registry.RemoveConfigurationAsync("firmwareupdate");
        await registry.RemoveConfigurationAsync(Configuration.FromJson(FirmwareConfiguration));
        Assert.All(hub.Requests, r => Assert.Equal(HttpMethod.Delete, r.Method));
        Assert.All(hub.Requests, r => Assert.Equal($"{Base}configurations/firmwareupdate?{ApiVersion}", r.Uri.AbsoluteUri));
        Assert.Equal("\"*\"", hub.Requests[0].Header("If-Match"));
        Assert.Equal("\"MQ==\"", hub.Requests[1].Header("If-Match"));
    }

    [Fact]
    public async Task Removing_or_updating_an_unknown_configuration_is_ConfigurationNotFoundException()
    {
        var hub = new ServiceScriptedHub(Error(404, "ConfigurationNotFound", "Configuration gone not found."));
        using var registry = Registry(hub);
        var ex = await Assert.ThrowsAsync<ConfigurationNotFoundException>(() => registry.RemoveConfigurationAsync("gone"));
        Assert.Equal("Configuration gone not found.", ex.Message);
        await Assert.ThrowsAsync<ConfigurationNotFoundException>(() => registry.UpdateConfigurationAsync(new Configuration("gone"), forceUpdate: true));
    }

    [Fact]
    public async Task Test_queries_posts_the_condition_and_metric_queries_and_reads_the_errors()
    {
        var hub = new ServiceScriptedHub(
            Ok("""{"targetConditionError":"","customMetricQueryErrors":{}}"""),
            Ok("""{"targetConditionError":"Syntax error at 7","customMetricQueryErrors":{"fwupdated":"bad"}}"""));
        using var registry = Registry(hub);

        var fine = await registry.TestConfigurationQueriesAsync(NewFirmwareConfiguration());
        var bad = await registry.TestConfigurationQueriesAsync(new ConfigurationQueriesTestInput { TargetCondition = "tags.x=" });

        Assert.Equal(HttpMethod.Post, hub.Requests[0].Method);
        Assert.Equal($"{Base}configurations/testQueries?{ApiVersion}", hub.Requests[0].Uri.AbsoluteUri);
        Assert.Equal(
            """{"targetCondition":"deviceId='sensor-th-0155'","customMetricQueries":{"fwupdated":"select deviceid from devices where configurations.[[firmwareupdate]].status='Applied'"}}""",
            hub.Requests[0].Body);
        Assert.True(fine.IsValid);
        Assert.False(bad.IsValid);
        Assert.Equal("Syntax error at 7", bad.TargetConditionError);
        Assert.Equal("bad", bad.CustomMetricQueryErrors["fwupdated"]);
    }

    [Fact]
    public async Task Apply_content_on_a_device_posts_the_content()
    {
        var hub = new ServiceScriptedHub(Status(204));
        using var registry = Registry(hub);
        var content = new ConfigurationContent();
        content.ModulesContent["$edgeAgent"] = new Dictionary<string, object?> { ["properties.desired"] = new Dictionary<string, object?> { ["schemaVersion"] = "1.1" } };
        await registry.ApplyConfigurationContentOnDeviceAsync("edge1", content);
        var r = Assert.Single(hub.Requests);
        Assert.Equal(HttpMethod.Post, r.Method);
        Assert.Equal($"{Base}devices/edge1/applyConfigurationContent?{ApiVersion}", r.Uri.AbsoluteUri);
        Assert.Equal("""{"modulesContent":{"$edgeAgent":{"properties.desired":{"schemaVersion":"1.1"}}},"moduleContent":{},"deviceContent":{}}""", r.Body);
    }

    [Theory]
    [InlineData(FirmwareConfiguration)]
    [InlineData(EdgeDeployment)]
    public void Configuration_json_round_trips_the_hubs_samples(string sample)
    {
        var original = JsonNode.Parse(sample)!.AsObject();
        var again = JsonNode.Parse(Configuration.FromJson(sample).ToJson())!.AsObject();
        foreach (var name in new[] { "id", "schemaVersion", "labels", "targetCondition", "priority", "systemMetrics", "metrics", "etag" })
            Assert.True(JsonNode.DeepEquals(original[name], again[name]), $"'{name}' changed: {original[name]?.ToJsonString()} → {again[name]?.ToJsonString()}");
        foreach (var (part, value) in original["content"]!.AsObject())
            Assert.True(JsonNode.DeepEquals(value, again["content"]![part]), $"content.{part} changed");
    }

    [Fact]
    public void Edge_deployment_content_is_read_per_module()
    {
        var c = Configuration.FromJson(EdgeDeployment);
        var agent = c.Content.ModulesContent["$edgeAgent"];
        var desired = Assert.IsType<Dictionary<string, object?>>(agent["properties.desired"]);
        Assert.Equal("1.1", desired["schemaVersion"]);
        Assert.Empty(c.Content.DeviceContent);
        Assert.Equal("Mg==", c.ETag);
    }

    [Fact]
    public void Content_from_powershell_style_values_and_nulls_serializes_as_json()
    {
        var c = new Configuration("ps");
        c.Content.DeviceContent["properties.desired.settings"] = new Hashtable { ["interval"] = 5 };
        c.Content.DeviceContent["properties.desired.obsolete"] = null;
        c.Content.DeviceContent["properties.desired.node"] = new JsonObject { ["a"] = 1 };
        var content = JsonNode.Parse(c.ToJson())!["content"]!["deviceContent"]!;
        Assert.Equal(5, (int)content["properties.desired.settings"]!["interval"]!);
        Assert.True(content.AsObject().ContainsKey("properties.desired.obsolete"));
        Assert.Null(content["properties.desired.obsolete"]);
        Assert.Equal(1, (int)content["properties.desired.node"]!["a"]!);
    }

    [Fact]
    public void Nulls_from_the_hub_leave_empty_collections_not_null_ones()
    {
        var c = Configuration.FromJson("""{"id":"x","labels":null,"content":null,"metrics":null,"systemMetrics":{"results":null,"queries":null}}""");
        Assert.Empty(c.Labels);
        Assert.Empty(c.Content.DeviceContent);
        Assert.Empty(c.Metrics.Queries);
        Assert.Empty(c.SystemMetrics.Results);
    }

    [Fact]
    public async Task Bad_configuration_arguments_are_refused_before_anything_is_sent()
    {
        var hub = new ServiceScriptedHub(Ok(FirmwareConfiguration));
        using var registry = Registry(hub);
        var withEtag = NewFirmwareConfiguration();
        withEtag.ETag = "MQ==";
        await Assert.ThrowsAsync<ArgumentException>(() => registry.AddConfigurationAsync(withEtag));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.AddConfigurationAsync(new Configuration("")));
        await Assert.ThrowsAsync<ArgumentNullException>(() => registry.AddConfigurationAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.UpdateConfigurationAsync(NewFirmwareConfiguration()));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.RemoveConfigurationAsync(NewFirmwareConfiguration()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => registry.GetConfigurationsAsync(0));
        foreach (var id in new[] { "has space", "a/b", "dotted.id", "x{y}", new string('c', 129) })
        {
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => registry.GetConfigurationAsync(id));
            Assert.Contains("not valid", ex.Message);
        }
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public void Defaults_match_microsofts_client()
    {
        var c = new Configuration("x");
        Assert.Equal("1.0", c.SchemaVersion);
        Assert.Equal("assignment", c.ContentType);
        Assert.Null(c.ETag);
        Assert.Equal(0, c.Priority);
    }
}
