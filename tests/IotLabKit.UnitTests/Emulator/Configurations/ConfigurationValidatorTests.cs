using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Configurations;
using IotLabKit.Emulator.Hosting;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator.Configurations;

public sealed class ConfigurationValidatorTests
{
    [Theory]
    [InlineData("firmwareupdate")]
    [InlineData("fw-update_2024:ring+1%(a),b=c@d;e'f!g?h*i#j")]
    public void Lowercase_ids_with_the_documented_punctuation_are_accepted(string id) => ConfigurationValidator.RequireValidId(id);

    [Theory]
    [InlineData("FirmwareUpdate", "uppercase letter 'F'")]
    [InlineData("fw update", "a space")]
    [InlineData("fw.update", "'.'")]
    [InlineData("fw/update", "'/'")]
    [InlineData("fw[1]", "'['")]
    [InlineData("", "empty")]
    public void Other_ids_are_refused_with_the_reason(string id, string reason)
    {
        var ex = Assert.Throws<HubException>(() => ConfigurationValidator.RequireValidId(id));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, ex.Code);
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Ids_are_at_most_128_characters()
    {
        ConfigurationValidator.RequireValidId(new string('a', 128));
        Assert.Contains("128", Assert.Throws<HubException>(() => ConfigurationValidator.RequireValidId(new string('a', 129))).Message);
    }

    [Fact]
    public void Target_conditions_go_through_the_query_engine()
    {
        Assert.Null(ConfigurationValidator.ParseTargetCondition(""));
        Assert.True(ConfigurationValidator.ParseTargetCondition("*")!.MatchesAll);
        var twin = JsonNode.Parse("""{"deviceId":"sensor-th-0155","tags":{}}""")!.AsObject();
        Assert.True(ConfigurationValidator.ParseTargetCondition("deviceId='sensor-th-0155'")!.Matches(twin));

        var bad = Assert.Throws<HubException>(() => ConfigurationValidator.ParseTargetCondition("tags.env = "));
        Assert.Equal(IotHubErrorCode.InvalidConfigurationTargetCondition, bad.Code);
        Assert.StartsWith("The target condition is invalid: Query syntax error", bad.Message);

        var module = Assert.Throws<HubException>(() => ConfigurationValidator.ParseTargetCondition("FROM devices.modules WHERE moduleId = 'm'"));
        Assert.Equal(IotHubErrorCode.InvalidConfigurationTargetCondition, module.Code);
        Assert.Contains("not supported by the emulator yet", module.Message);
    }

    [Fact]
    public void Metric_queries_must_parse_and_count_device_twins()
    {
        ConfigurationValidator.ParseMetricQuery("fwupdated", "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'");
        Assert.Equal(IotHubErrorCode.InvalidConfigurationCustomMetricsQuery,
            Assert.Throws<HubException>(() => ConfigurationValidator.ParseMetricQuery("m", "SELECT FROM")).Code);
        Assert.Contains("FROM devices",
            Assert.Throws<HubException>(() => ConfigurationValidator.ParseMetricQuery("m", "SELECT * FROM devices.jobs")).Message);
        Assert.Contains("at most 5", Assert.Throws<HubException>(() => ConfigurationValidator.RequireMetricCount(6)).Message);
    }

    [Fact]
    public void Test_queries_report_each_failing_query_by_name()
    {
        var (target, metrics) = ConfigurationValidator.TestQueries("tags.x = 'a'", [new("good", "SELECT deviceId FROM devices"), new("bad", "SELEC deviceId")]);
        Assert.Equal("", target);
        var (name, error) = Assert.Single(metrics);
        Assert.Equal("bad", name);
        Assert.Contains("custom metric 'bad'", error);
        Assert.StartsWith("The target condition is invalid", ConfigurationValidator.TestQueries("((", []).TargetConditionError);
    }

    [Fact]
    public void The_system_metric_queries_have_the_real_hub_shape_and_parse()
    {
        var cfg = ContentResolverTests.Config("firmwareupdate", 10, "{}") with { TargetCondition = "deviceId='sensor-th-0155'" };
        Assert.Equal("select deviceId from devices where deviceId='sensor-th-0155'", cfg.TargetedCountQuery);
        Assert.Equal("select deviceId from devices where configurations.[[firmwareupdate]].status = 'Applied'", cfg.AppliedCountQuery);
        IotLabKit.Query.QueryParser.Parse(cfg.TargetedCountQuery);
        IotLabKit.Query.QueryParser.Parse(cfg.AppliedCountQuery);
        IotLabKit.Query.QueryParser.Parse((cfg with { TargetCondition = "" }).TargetedCountQuery);
        Assert.Equal("select deviceId from devices", (cfg with { TargetCondition = "*" }).TargetedCountQuery);
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("00:05:00", 300)]
    public void The_evaluation_interval_reads_seconds_units_and_clock_times(string text, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), EmulatorSettings.Parse(["--config-evaluation-interval", text]).ConfigurationEvaluationInterval);

    [Theory]
    [InlineData("0")]
    [InlineData("25h")]
    [InlineData("soon")]
    public void A_bad_evaluation_interval_is_refused(string text)
        => Assert.Contains("--config-evaluation-interval", Assert.Throws<SettingsException>(() => EmulatorSettings.Parse(["--config-evaluation-interval", text])).Message);

    [Fact]
    public void The_evaluation_interval_defaults_to_IoT_Hubs_five_minutes()
        => Assert.Equal(TimeSpan.FromMinutes(5), EmulatorSettings.Parse([]).ConfigurationEvaluationInterval);
}
