using IotLabKit.Service;

namespace IotLabKit.Simulation.Tests.EndToEnd;

/// <summary>Starting, running and stopping simulated devices against a real emulator.</summary>
[Collection(SimulationHubCollection.Name)]
public sealed class LifecycleTests(SimulationHub hub)
{
    [Fact]
    public async Task A_started_device_is_connected_sends_telemetry_and_a_stopped_one_is_disconnected()
    {
        var (id, cs) = await hub.NewDeviceAsync("life");
        var options = hub.Options(SimulatedBehaviors.Telemetry);
        options.TelemetryInterval = TimeSpan.FromMilliseconds(100);
        var device = SimulatedDevice.Create(cs, options);
        await device.StartAsync();

        Assert.Equal(SimulatedDeviceState.Running, device.State);
        Assert.Equal(Device.ConnectionStatus.Connected, device.ConnectionStatus);
        Assert.Equal(DeviceConnectionState.Connected, (await hub.Registry.GetDeviceAsync(id))!.ConnectionState);
        await SimulationHub.WaitUntilAsync(() => Task.FromResult(device.MessagesSent >= 3), "three telemetry messages");
        Assert.NotNull(device.LastMessageTime);

        await device.StopAsync();

        Assert.Equal(SimulatedDeviceState.Stopped, device.State);
        var sent = device.MessagesSent;
        Assert.Equal(DeviceConnectionState.Disconnected, (await hub.Registry.GetDeviceAsync(id))!.ConnectionState);
        await Assert.ThrowsAsync<DeviceNotOnlineException>(() => hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("reboot", TimeSpan.FromSeconds(5))));
        Assert.Equal(sent, device.MessagesSent);
        Assert.Contains(device.Log, l => l.Text == "Stopped");
    }

    [Fact]
    public async Task A_device_the_hub_refuses_fails_to_start_and_says_why()
    {
        var (id, cs) = await hub.NewDeviceAsync("refused");
        var device = await hub.Registry.GetDeviceAsync(id);
        device!.Status = DeviceStatus.Disabled;
        await hub.Registry.UpdateDeviceAsync(device, forceUpdate: true);
        var simulated = SimulatedDevice.Create(cs, hub.Options(SimulatedBehaviors.All));

        await Assert.ThrowsAsync<Device.UnauthorizedException>(() => simulated.StartAsync());

        Assert.Equal(SimulatedDeviceState.Failed, simulated.State);
        Assert.StartsWith("Failed starting:", simulated.LastError);
        await simulated.StopAsync();
        Assert.Equal(SimulatedDeviceState.Failed, simulated.State);
    }

    [Fact]
    public async Task Method_calls_are_counted_and_a_held_back_answer_runs_into_the_callers_timeout()
    {
        var (id, cs) = await hub.NewDeviceAsync("slow");
        var options = hub.Options(SimulatedBehaviors.Reboot);
        options.MethodResponseDelay = TimeSpan.FromMinutes(1);
        await using var device = SimulatedDevice.Create(cs, options);
        await device.StartAsync();

        var error = await Assert.ThrowsAsync<IotHubTimeoutException>(() => hub.Service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("ping", TimeSpan.FromSeconds(5))));

        Assert.Equal(504, error.StatusCode);
        Assert.Equal("ping", device.LastMethod);
        Assert.Null(device.LastMethodStatus);
        Assert.Equal(1, device.MethodCalls);
    }
}
