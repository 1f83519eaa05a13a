using System.Diagnostics;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.IntegrationTests;

/// <summary>RegistryManager's configuration calls against a real emulator: what the client sends is accepted and applied.</summary>
[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceConfigurationClientTests(ServiceEmulatorFixture hub)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string NewConfigurationId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task<(string Cohort, List<string> Ids)> CohortAsync(int count)
    {
        var cohort = Guid.NewGuid().ToString("N");
        using var registry = hub.Registry();
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = ServiceEmulatorFixture.NewDeviceId("cfg");
            await registry.AddDeviceAsync(new Device(id));
            var tags = new Twin();
            tags.Tags["cohort"] = cohort;
            await registry.UpdateTwinAsync(id, tags, "*");
            ids.Add(id);
        }
        return (cohort, ids);
    }

    private static Configuration Firmware(string id, string cohort)
    {
        var configuration = new Configuration(id) { TargetCondition = $"tags.cohort = '{cohort}'", Priority = 10 };
        configuration.Labels["course"] = "az220";
        configuration.Content.DeviceContent["properties.desired.firmware"] = new Dictionary<string, object?> { ["fwVersion"] = "1.0.1" };
        configuration.Metrics.Queries["fwrequested"] = $"SELECT deviceId FROM devices WHERE tags.cohort = '{cohort}' AND properties.desired.firmware.fwVersion = '1.0.1'";
        return configuration;
    }

    /// <summary>Polls the configuration until <paramref name="until"/> holds; the hub evaluates on its own schedule.</summary>
    private static async Task<Configuration> WaitForAsync(RegistryManager registry, string id, Func<Configuration, bool> until)
    {
        var clock = Stopwatch.StartNew();
        Configuration? last = null;
        while (clock.Elapsed < Patience)
        {
            last = await registry.GetConfigurationAsync(id);
            if (last is not null && until(last)) return last;
            await Task.Yield();
        }
        throw new TimeoutException($"Configuration {id} did not get there within {Patience}; last seen: {last?.ToJson()}");
    }

    [Fact]
    public async Task An_added_configuration_is_stored_as_sent_applied_to_its_targets_and_counted()
    {
        var (cohort, ids) = await CohortAsync(2);
        using var registry = hub.Registry();
        var id = NewConfigurationId("fw");

        var created = await registry.AddConfigurationAsync(Firmware(id, cohort));

        Assert.Equal(id, created.Id);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        Assert.True(created.CreatedTimeUtc > DateTime.UtcNow.AddHours(-1), $"createdTimeUtc {created.CreatedTimeUtc:o}");
        Assert.Equal("az220", created.Labels["course"]);
        Assert.Equal(10, created.Priority);
        Assert.Equal("1.0.1", Assert.IsType<Dictionary<string, object?>>(created.Content.DeviceContent["properties.desired.firmware"])["fwVersion"]);
        Assert.Contains("targetedCount", created.SystemMetrics.Queries.Keys);
        Assert.Contains("appliedCount", created.SystemMetrics.Queries.Keys);

        var applied = await WaitForAsync(registry, id, c => c.SystemMetrics.Results.TryGetValue("appliedCount", out var n) && n == 2);
        Assert.Equal(2, applied.SystemMetrics.Results["targetedCount"]);
        Assert.Equal(2, applied.Metrics.Results["fwrequested"]);
        foreach (var deviceId in ids)
        {
            var twin = await registry.GetTwinAsync(deviceId);
            Assert.Equal("1.0.1", ((TwinCollection)twin.Properties.Desired["firmware"]!)["fwVersion"]);
            Assert.Equal(ConfigurationStatus.Applied, twin.Configurations![id].Status);
        }

        var listed = await registry.GetConfigurationsAsync(100);
        Assert.Contains(listed, c => c.Id == id);
        await registry.RemoveConfigurationAsync(id);
    }

    [Fact]
    public async Task Updates_need_the_current_etag_unless_forced_and_content_cannot_change()
    {
        var (cohort, _) = await CohortAsync(1);
        using var registry = hub.Registry();
        var id = NewConfigurationId("upd");
        var created = await registry.AddConfigurationAsync(Firmware(id, cohort));

        created.Priority = 20;
        created.Labels["edited"] = "yes";
        var updated = await registry.UpdateConfigurationAsync(created);
        Assert.Equal(20, updated.Priority);
        Assert.Equal("yes", updated.Labels["edited"]);
        Assert.NotEqual(created.ETag, updated.ETag);

        created.Priority = 30;
        var stale = await Assert.ThrowsAsync<PreconditionFailedException>(() => registry.UpdateConfigurationAsync(created));
        Assert.Equal(IotHubErrorCode.PreconditionFailed, stale.ErrorCode);

        var forced = await registry.UpdateConfigurationAsync(created, forceUpdate: true);
        Assert.Equal(30, forced.Priority);

        forced.Content.DeviceContent["properties.desired.firmware"] = new Dictionary<string, object?> { ["fwVersion"] = "9.9.9" };
        var immutable = await Assert.ThrowsAsync<IotHubArgumentException>(() => registry.UpdateConfigurationAsync(forced));
        Assert.Equal("CannotModifyImmutableConfigurationContent", immutable.ErrorName);

        await registry.RemoveConfigurationAsync(forced);
        Assert.Null(await registry.GetConfigurationAsync(id));
    }

    [Fact]
    public async Task Hub_refusals_arrive_as_the_typed_exceptions()
    {
        var (cohort, _) = await CohortAsync(1);
        using var registry = hub.Registry();
        var id = NewConfigurationId("dup");
        await registry.AddConfigurationAsync(Firmware(id, cohort));
        try
        {
            var duplicate = await Assert.ThrowsAsync<DeviceAlreadyExistsException>(() => registry.AddConfigurationAsync(Firmware(id, cohort)));
            Assert.Equal(409, duplicate.StatusCode);
            Assert.Equal("ConfigurationAlreadyExists", duplicate.ErrorName);
        }
        finally
        {
            await registry.RemoveConfigurationAsync(id);
        }

        var gone = await Assert.ThrowsAsync<ConfigurationNotFoundException>(() => registry.RemoveConfigurationAsync(NewConfigurationId("gone")));
        Assert.Equal(IotHubErrorCode.ConfigurationNotFound, gone.ErrorCode);
        Assert.Null(await registry.GetConfigurationAsync(NewConfigurationId("never")));

        var bad = Firmware(NewConfigurationId("bad"), cohort);
        bad.TargetCondition = "tags.cohort = = 'x'";
        var invalid = await Assert.ThrowsAsync<IotHubArgumentException>(() => registry.AddConfigurationAsync(bad));
        Assert.Equal("InvalidConfigurationTargetCondition", invalid.ErrorName);
    }

    [Fact]
    public async Task Test_queries_reports_what_is_wrong_without_creating_anything()
    {
        using var registry = hub.Registry();
        var good = await registry.TestConfigurationQueriesAsync(Firmware(NewConfigurationId("t"), "x"));
        Assert.True(good.IsValid, $"target: {good.TargetConditionError}; metrics: {string.Join(", ", good.CustomMetricQueryErrors)}");

        var bad = await registry.TestConfigurationQueriesAsync(new ConfigurationQueriesTestInput
        {
            TargetCondition = "tags.x = = 1",
            CustomMetricQueries = { ["broken"] = "SELECT FROM nowhere" },
        });
        Assert.False(bad.IsValid);
        Assert.False(string.IsNullOrEmpty(bad.TargetConditionError));
        Assert.False(string.IsNullOrEmpty(bad.CustomMetricQueryErrors["broken"]));
    }
}
