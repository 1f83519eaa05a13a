using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary>The queries the AZ-220 labs, the docs and the configuration system metrics actually send.</summary>
public sealed class LabQueryTests
{
    private static readonly JsonObject Sensor1 = Twin("sensor-th-0001",
        tags: """{"cheeseCave":"CheeseCave1","location":{"region":"US","plant":"Redmond43"}}""",
        reported: """{"firmware":{"currentFwVersion":"1.0.1"},"telemetryConfig":{"status":"Success"}}""",
        extra: """ "configurations": {"firmwareupdate": {"status": "Applied"}, "my_config": {"status": "Targeted"}} """);

    private static readonly JsonObject Sensor2 = Twin("sensor-th-0002",
        tags: """{"cheeseCave":"CheeseCave2"}""",
        reported: """{"firmware":{"currentFwVersion":"1.0.0"},"telemetryConfig":{"status":"Pending"}}""",
        extra: """ "configurations": {"firmwareupdate": {"status": "Targeted"}, "my_config": {"status": "Applied"}} """);

    private static readonly JsonObject Sensor3 = Twin("sensor-th-0003",
        tags: """{"cheeseCave":"CheeseCave1"}""",
        reported: """{"firmware":{"currentFwVersion":"1.0.1"},"telemetryConfig":{"status":"Success"}}""");

    private static readonly JsonObject[] Hub = [Sensor1, Sensor2, Sensor3];

    [Fact]
    public void Lab15_select_star_by_tag_returns_the_whole_twins()
    {
        var result = Run("SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'", Hub);

        Assert.Equal(QueryItemType.Twin, result.ItemType);
        Assert.Equal("Twin", result.ItemType.ToHeaderValue());
        Assert.Equal(2, result.Items.Count);
        Assert.Same(Sensor1, result.Items[0]);
        Assert.Same(Sensor3, result.Items[1]);
    }

    [Fact]
    public void Lab16_projection_on_reported_firmware_version()
    {
        var result = Run("SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'", Hub);

        Assert.Equal(QueryItemType.Raw, result.ItemType);
        Assert.Equal("""[{"deviceId":"sensor-th-0001"},{"deviceId":"sensor-th-0003"}]""", Json(result));
    }

    [Fact]
    public void Lab16_bracketed_configuration_id()
    {
        var result = Run("SELECT deviceId FROM devices WHERE configurations.[[firmwareupdate]].status='Applied'", Hub);

        Assert.Equal("""[{"deviceId":"sensor-th-0001"}]""", Json(result));
    }

    [Fact]
    public void Lab16_custom_metric_with_lower_case_keywords_and_root_name()
    {
        var result = Run(
            "select deviceid from devices where configurations.[[firmwareupdate]].status='Applied' and properties.reported.firmware.currentFwVersion='1.0.1'",
            Hub);

        // IoT Hub resolves root identity names in any case and answers with the twin's spelling.
        Assert.Equal("""[{"deviceId":"sensor-th-0001"}]""", Json(result));
    }

    [Fact]
    public void System_metric_applied_count()
    {
        var query = QueryParser.Parse("select deviceId from devices where configurations.[[my_config]].status = 'Applied'");

        Assert.Equal(["sensor-th-0002"], Ids(query.Execute(Hub)));
    }

    [Fact]
    public void System_metric_targeted_count_for_a_wildcard_edge_deployment()
    {
        var edge = Twin("edge1");
        edge["capabilities"]!["iotEdge"] = true;

        Assert.Equal(["edge1"], Matching("select deviceId from devices where capabilities.iotEdge = true", [.. Hub, edge]));
    }

    [Fact]
    public void Edge_deployment_reported_successful_count_over_module_twins()
    {
        var agent = Doc("""
            {"deviceId":"edge1","moduleId":"$edgeAgent",
             "configurations":{"deploy1":{"status":"Applied"}},
             "properties":{"desired":{"$version":7},"reported":{"lastDesiredVersion":7,"lastDesiredStatus":{"code":200},"$version":9}}}
            """);
        var stale = Doc("""
            {"deviceId":"edge2","moduleId":"$edgeAgent",
             "configurations":{"deploy1":{"status":"Applied"}},
             "properties":{"desired":{"$version":8},"reported":{"lastDesiredVersion":7,"lastDesiredStatus":{"code":200},"$version":9}}}
            """);
        const string successful = "select deviceId from devices.modules where moduleId = '$edgeAgent' and configurations.[[deploy1]].status = 'Applied' "
            + "and properties.desired.$version = properties.reported.lastDesiredVersion and properties.reported.lastDesiredStatus.code = 200";
        const string failed = "select deviceId from devices.modules where moduleId = '$edgeAgent' and configurations.[[deploy1]].status = 'Applied' "
            + "and properties.desired.$version = properties.reported.lastDesiredVersion and properties.reported.lastDesiredStatus.code != 200";

        Assert.Equal(["edge1"], Matching(successful, agent, stale));
        Assert.Empty(Matching(failed, agent, stale));
    }

    [Fact]
    public void Docs_group_by_with_aliases_has_the_rows_iot_hub_shows()
    {
        var twins = new[] { "Success", "Pending", "Success", "Error", "Pending", "Success" }
            .Select((status, i) => Twin($"d{i}", reported: $$$"""{"telemetryConfig":{"status":"{{{status}}}"}}"""))
            .ToArray();

        var result = Run(
            """
            SELECT properties.reported.telemetryConfig.status AS status,
                   COUNT() AS numberOfDevices
              FROM devices
              GROUP BY properties.reported.telemetryConfig.status
            """,
            twins);

        Assert.Equal(QueryItemType.Raw, result.ItemType);
        Assert.Equal(
            """[{"numberOfDevices":3,"status":"Success"},{"numberOfDevices":2,"status":"Pending"},{"numberOfDevices":1,"status":"Error"}]""",
            Json(result));
    }

    [Fact]
    public void Docs_count_of_all_devices()
    {
        Assert.Equal("""[{"total":3}]""", Json(Run("SELECT COUNT() AS total FROM devices", Hub)));
    }

    [Fact]
    public void Docs_region_and_reported_frequency()
    {
        var slow = Twin("slow", tags: """{"location":{"region":"US"}}""", reported: """{"telemetryConfig":{"sendFrequencyInSecs":300}}""");
        var fast = Twin("fast", tags: """{"location":{"region":"US"}}""", reported: """{"telemetryConfig":{"sendFrequencyInSecs":30}}""");
        var eu = Twin("eu", tags: """{"location":{"region":"EU"}}""", reported: """{"telemetryConfig":{"sendFrequencyInSecs":300}}""");

        Assert.Equal(["slow"], Matching(
            "SELECT * FROM devices WHERE tags.location.region = 'US' AND properties.reported.telemetryConfig.sendFrequencyInSecs >= 60",
            slow, fast, eu));
        Assert.Equal(["slow", "fast"], Matching("SELECT * FROM devices WHERE tags.location.region IN ['US', 'CN']", slow, fast, eu));
        Assert.Equal(["slow", "fast", "eu"], Matching("SELECT * FROM devices WHERE is_defined(properties.reported.telemetryConfig)", slow, fast, eu));
    }

    [Fact]
    public void Docs_select_case_insensitive_identity_names()
    {
        var result = Run("SELECT DeviceId, LastActivityTime FROM devices WHERE status = 'enabled' AND DeviceId = 'sensor-th-0002'", Hub);

        Assert.Equal("""[{"deviceId":"sensor-th-0002","lastActivityTime":"2024-05-01T10:00:00.0000000Z"}]""", Json(result));
    }
}
