using System.Text.Json.Nodes;
using IotLabKit.Service;

namespace IotLabKit.Simulation.Tests.EndToEnd;

/// <summary>The reboot and factory-reset direct methods through a real emulator.</summary>
[Collection(SimulationHubCollection.Name)]
public sealed class RestartTests(SimulationHub hub)
{
    /// <summary>Long enough offline for the test to see the device offline from the hub's side.</summary>
    private static readonly SimulationTimings Offline = SimulationTimings.Course.Scale(0.01) with
    {
        RestartDelay = TimeSpan.FromMilliseconds(300),
        RebootDuration = TimeSpan.FromSeconds(6),
    };

    [Fact]
    public async Task Reboot_answers_reports_goes_offline_and_comes_back()
    {
        var (id, cs) = await hub.NewDeviceAsync("reboot");
        await using var device = SimulatedDevice.Create(cs, hub.Options(SimulatedBehaviors.Reboot | SimulatedBehaviors.Telemetry, Offline));
        await device.StartAsync();

        var answer = await hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("reboot", TimeSpan.FromSeconds(30)));
        Assert.Equal(200, answer.Status);
        Assert.Equal("Reboot started.", answer.Payload!["result"]!.GetValue<string>());

        // The device reported before it answered, so the twin shows the reboot at once.
        var twin = await hub.Registry.GetTwinAsync(id);
        var started = JsonNode.Parse(twin.Properties.Reported.ToJson())!.AsObject();
        Assert.Equal("rebooting", SimulationHub.Text(started, "iothubDM", "reboot", "status"));
        var lastReboot = SimulationHub.Text(started, "iothubDM", "reboot", "lastReboot");
        Assert.True(DateTimeOffset.TryParse(lastReboot, out _), lastReboot);

        // While it reboots the hub sees it offline, and a method call finds no one.
        await SimulationHub.WaitUntilAsync(async () => (await hub.Registry.GetDeviceAsync(id))!.ConnectionState == DeviceConnectionState.Disconnected,
            "the hub shows the rebooting device disconnected");
        Assert.Equal(SimulatedDeviceState.Restarting, device.State);
        await Assert.ThrowsAsync<DeviceNotOnlineException>(() => hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("reboot", TimeSpan.FromSeconds(5))));

        var completed = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "iothubDM", "reboot", "status") == "completed", "the reboot completed");
        Assert.Equal(lastReboot, SimulationHub.Text(completed, "iothubDM", "reboot", "lastReboot"));
        Assert.True(DateTimeOffset.Parse(SimulationHub.Text(completed, "iothubDM", "reboot", "lastRebootEndTime")!) > DateTimeOffset.Parse(lastReboot!));
        Assert.Equal(DeviceConnectionState.Connected, (await hub.Registry.GetDeviceAsync(id))!.ConnectionState);
        Assert.Equal(1, device.RestartCount);
        Assert.Equal(SimulatedDeviceState.Running, device.State);

        // Back up, it answers methods and sends telemetry again.
        var sent = device.MessagesSent;
        var unknown = await hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("nothing-here"));
        Assert.Equal(501, unknown.Status);
        Assert.Equal("The simulated device has no direct method 'nothing-here'; it answers reboot.", unknown.Payload!["result"]!.GetValue<string>());
        await SimulationHub.WaitUntilAsync(() => Task.FromResult(device.MessagesSent > sent), "telemetry after the reboot");
    }

    [Fact]
    public async Task Factory_reset_brings_back_the_factory_firmware_and_telemetry_interval()
    {
        var (id, cs) = await hub.NewDeviceAsync("reset");
        var timings = SimulationTimings.Course.Scale(0.01);
        await using var device = SimulatedDevice.Create(cs, hub.Options(SimulatedBehaviors.All, timings));
        await device.StartAsync();
        await hub.Registry.UpdateTwinAsync(id, """
            {"properties":{"desired":{"telemetryConfig":{"sendFrequency":"1m"},
             "firmware":{"fwVersion":"1.0.1","fwPackageURI":"https://MyPackage.uri","fwPackageCheckValue":"1234"}}}}
            """, "*");
        await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "firmware", "currentFwVersion") == "1.0.1"
                                                && SimulationHub.Text(r, "telemetryConfig", "sendFrequency") == "1m", "the update and the new interval");
        Assert.Equal(TimeSpan.FromMinutes(1), device.TelemetryInterval);
        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":null}}}""", "*");
        await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "sendFrequency") == "5s", "the factory interval again");
        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":{"sendFrequency":"1m"}}}}""", "*");
        await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "sendFrequency") == "1m", "the new interval again");

        var answer = await hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("factoryReset"));
        Assert.Equal(200, answer.Status);
        Assert.Equal("Factory reset started.", answer.Payload!["result"]!.GetValue<string>());

        var reported = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "iothubDM", "factoryReset", "status") == "completed", "the reset completed");
        Assert.NotNull(SimulationHub.Text(reported, "iothubDM", "factoryReset", "lastFactoryReset"));
        Assert.NotNull(SimulationHub.Text(reported, "iothubDM", "factoryReset", "lastFactoryResetEndTime"));
        // It came back with its factory firmware …
        Assert.Equal("1.0.0", SimulationHub.Text(reported, "firmware", "currentFwVersion"));
        Assert.Equal("1.0.0", device.FirmwareVersion);
        // … and, reading its twin at boot as a well-behaved device does, applied the desired interval again.
        Assert.Equal("1m", SimulationHub.Text(reported, "telemetryConfig", "sendFrequency"));
        Assert.Equal(1, device.RestartCount);
    }

    [Fact]
    public async Task A_second_reboot_while_the_first_is_under_way_is_answered_409()
    {
        var (id, cs) = await hub.NewDeviceAsync("reboot2");
        var slowStart = SimulationTimings.Course.Scale(0.01) with { RestartDelay = TimeSpan.FromSeconds(20) };
        await using var device = SimulatedDevice.Create(cs, hub.Options(SimulatedBehaviors.Reboot, slowStart));
        await device.StartAsync();

        Assert.Equal(200, (await hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("reboot"))).Status);
        var second = await hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("reboot"));

        Assert.Equal(409, second.Status);
        Assert.Equal("The device is already restarting.", second.Payload!["result"]!.GetValue<string>());
    }
}
