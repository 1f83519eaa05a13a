using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace IotLabKit.Simulation.Tests.EndToEnd;

/// <summary>The configuration pattern (desired telemetryConfig.sendFrequency) through a real emulator.</summary>
[Collection(SimulationHubCollection.Name)]
public sealed class TelemetryConfigTests(SimulationHub hub)
{
    [Fact]
    public async Task A_valid_frequency_is_reported_pending_then_success_and_takes_effect()
    {
        var (id, cs) = await hub.NewDeviceAsync("cfg");
        var patches = new ConcurrentQueue<JsonObject>();
        var options = hub.Options(SimulatedBehaviors.TelemetryConfig | SimulatedBehaviors.Telemetry);
        options.ReportObserver = patches.Enqueue;
        await using var device = SimulatedDevice.Create(cs, options);
        await device.StartAsync();
        var boot = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "status") == "success", "the factory configuration");
        Assert.Equal("5s", SimulationHub.Text(boot, "telemetryConfig", "sendFrequency"));

        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":{"sendFrequency":"200ms"}}}}""", "*");
        var reported = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "sendFrequency") == "200ms", "the new frequency");

        var config = reported["telemetryConfig"]!.AsObject();
        Assert.Equal("success", SimulationHub.Text(config, "status"));
        Assert.Equal(0.2, config["sendFrequencyInSeconds"]!.GetValue<double>());
        Assert.False(config.ContainsKey("error"));
        Assert.False(config.ContainsKey("pendingSendFrequency"));
        var statuses = patches.Select(p => SimulationHub.Text(p, "telemetryConfig", "status")).ToList();
        Assert.Equal(["success", "pending", "success"], statuses);
        Assert.Equal("200ms", SimulationHub.Text(patches.ElementAt(1), "telemetryConfig", "pendingSendFrequency"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), device.TelemetryInterval);
        // At 200 ms the device sends several messages within a moment; at its factory 5 s it would not.
        var sent = device.MessagesSent;
        await SimulationHub.WaitUntilAsync(() => Task.FromResult(device.MessagesSent >= sent + 5), "five messages at the new frequency");
    }

    [Fact]
    public async Task A_frequency_the_device_cannot_use_is_reported_failed_and_the_old_one_stays()
    {
        var (id, cs) = await hub.NewDeviceAsync("cfgbad");
        await using var device = SimulatedDevice.Create(cs, hub.Options(SimulatedBehaviors.TelemetryConfig));
        await device.StartAsync();
        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":{"sendFrequency":"30s"}}}}""", "*");
        await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "sendFrequency") == "30s", "30s in effect");

        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":{"sendFrequency":"every now and then"}}}}""", "*");
        var reported = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "status") == "failed", "status failed");

        Assert.Equal("'every now and then' is not a duration: use a number with ms, s, m, h or d (\"30s\", \"5m\"), an ISO 8601 duration (\"PT5M\") or a number of seconds.",
            SimulationHub.Text(reported, "telemetryConfig", "error"));
        Assert.Equal("30s", SimulationHub.Text(reported, "telemetryConfig", "sendFrequency"));
        Assert.Equal("30", SimulationHub.Text(reported, "telemetryConfig", "sendFrequencyInSeconds"));
        Assert.Equal(TimeSpan.FromSeconds(30), device.TelemetryInterval);

        // Fixing the value clears the error.
        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":{"sendFrequency":"PT2M"}}}}""", "*");
        reported = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "status") == "success", "status success");
        Assert.Equal("PT2M", SimulationHub.Text(reported, "telemetryConfig", "sendFrequency"));
        Assert.Equal("120", SimulationHub.Text(reported, "telemetryConfig", "sendFrequencyInSeconds"));
        Assert.False(reported["telemetryConfig"]!.AsObject().ContainsKey("error"));
    }

    [Fact]
    public async Task A_device_that_starts_applies_the_desired_frequency_already_in_its_twin()
    {
        var (id, cs) = await hub.NewDeviceAsync("cfgboot");
        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":{"sendFrequency":90}}}}""", "*");
        await using var device = SimulatedDevice.Create(cs, hub.Options(SimulatedBehaviors.TelemetryConfig));
        await device.StartAsync();

        var reported = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "status") == "success", "status success");
        Assert.Equal("90", SimulationHub.Text(reported, "telemetryConfig", "sendFrequency"));
        Assert.Equal(TimeSpan.FromSeconds(90), device.TelemetryInterval);
    }
}
