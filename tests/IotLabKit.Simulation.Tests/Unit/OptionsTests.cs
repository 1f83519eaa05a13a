namespace IotLabKit.Simulation.Tests.Unit;

public sealed class OptionsTests
{
    private const string ConnectionString = "HostName=localhost:8443;DeviceId=d1;SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    [Fact]
    public void The_course_firmware_update_takes_23_seconds()
        => Assert.Equal(TimeSpan.FromSeconds(23), SimulationTimings.Course.FirmwareUpdateTotal);

    [Fact]
    public void Scaling_compresses_every_step()
    {
        var fast = SimulationTimings.Course.Scale(0.1);
        Assert.Equal(TimeSpan.FromSeconds(2.3), fast.FirmwareUpdateTotal);
        Assert.Equal(TimeSpan.FromSeconds(0.5), fast.RebootDuration);
        Assert.Equal(TimeSpan.FromSeconds(0.1), fast.RestartDelay);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    [InlineData(double.NaN)]
    public void A_scale_out_of_range_is_refused(double factor)
        => Assert.Throws<ArgumentOutOfRangeException>(() => SimulationTimings.Course.Scale(factor));

    [Fact]
    public void A_telemetry_interval_out_of_range_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            SimulatedDevice.Create(ConnectionString, new SimulatedDeviceOptions { TelemetryInterval = TimeSpan.FromMilliseconds(10) }));
        Assert.Equal("TelemetryInterval", error.ParamName);
    }

    [Fact]
    public void A_new_device_says_what_it_will_play_and_keeps_its_seed()
    {
        var device = SimulatedDevice.Create(ConnectionString, new SimulatedDeviceOptions { Seed = 9, Behaviors = SimulatedBehaviors.Reboot | SimulatedBehaviors.FirmwareUpdate });
        Assert.Equal("d1", device.DeviceId);
        Assert.Equal(9, device.Seed);
        Assert.Equal(SimulatedDeviceState.Created, device.State);
        Assert.Equal("1.0.0", device.FirmwareVersion);
        Assert.Equal(TimeSpan.FromSeconds(5), device.TelemetryInterval);
    }

    [Fact]
    public async Task A_device_stopped_before_it_started_cannot_start()
    {
        var device = SimulatedDevice.Create(ConnectionString);
        await device.StopAsync();
        Assert.Equal(SimulatedDeviceState.Stopped, device.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => device.StartAsync());
    }
}
