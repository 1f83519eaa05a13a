extern alias IotDevice;

using System.Management.Automation;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Session;
using IotLabKit.Service;
using IotLabKit.Simulation;

namespace IotLabKit.PowerShell.Simulation;

/// <summary>
/// What Start-SimulatedDevice and New-SimulatedFleet share: the settings of the simulated devices, and starting one
/// for a registry entry of the connected hub.
/// </summary>
public abstract class SimulationCmdlet : HubCmdlet
{
    /// <summary>The patterns the devices play (Reboot, FactoryReset, TelemetryConfig, FirmwareUpdate, Telemetry; default All).</summary>
    [Parameter]
    public SimulatedBehaviors Behavior { get; set; } = SimulatedBehaviors.All;

    /// <summary>The factory telemetry interval (default 5 s, as Lab 15's device); the desired telemetryConfig.sendFrequency overrides it.</summary>
    [Parameter]
    public TimeSpan TelemetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The seed of the sensor readings, for reproducible telemetry (a fleet's devices get Seed, Seed+1, …).</summary>
    [Parameter]
    public int? Seed { get; set; }

    /// <summary>
    /// Multiplies the device-management timings (firmware steps, reboot): 0.1 runs Lab 16's 23-second firmware
    /// update in 2.3 s. Default 1 (the course's timings).
    /// </summary>
    [Parameter]
    [ValidateRange(0.001, 100.0)]
    public double TimeScale { get; set; } = 1;

    /// <summary>The factory firmware version (default 1.0.0, as Lab 16's device).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string FirmwareVersion { get; set; } = "1.0.0";

    /// <summary>Holds every direct-method answer back this long, to show what a slow or hung device does (504 when longer than the caller's -ResponseTimeout).</summary>
    [Parameter]
    public TimeSpan MethodResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Checks the settings before any device is touched.</summary>
    protected override void BeginProcessing()
    {
        if (TelemetryInterval < SimulatedDeviceOptions.MinimumTelemetryInterval || TelemetryInterval > SimulatedDeviceOptions.MaximumTelemetryInterval)
            Fail("InvalidTelemetryInterval", ErrorCategory.InvalidArgument, $"-TelemetryInterval must be between 100 ms and 7 days, not {TelemetryInterval}.", TelemetryInterval);
        if (MethodResponseDelay < TimeSpan.Zero || MethodResponseDelay > TimeSpan.FromHours(1))
            Fail("InvalidMethodResponseDelay", ErrorCategory.InvalidArgument, $"-MethodResponseDelay must be between 0 and 1 hour, not {MethodResponseDelay}.", MethodResponseDelay);
        base.BeginProcessing();
    }

    /// <summary>The settings of one simulated device; <paramref name="index"/> offsets the seed within a fleet.</summary>
    internal SimulatedDeviceOptions DeviceOptions(int index = 0) => new()
    {
        Behaviors = Behavior,
        TelemetryInterval = TelemetryInterval,
        Seed = Seed is { } seed ? unchecked(seed + index) : null,
        Timings = TimeScale == 1 ? SimulationTimings.Course : SimulationTimings.Course.Scale(TimeScale),
        FirmwareVersion = FirmwareVersion,
        MethodResponseDelay = MethodResponseDelay,
        ClientOptions = new IotDevice::IotLabKit.Device.DeviceClientOptions { CaCertificatePath = Connection.CaCertificatePath },
    };

    /// <summary>
    /// Starts a simulated device for a registry entry and registers it in the session; stops it again when it cannot
    /// be registered. Throws what the start throws.
    /// </summary>
    internal static async Task<SimulatedDevice> StartAsync(HubConnection connection, Service.Device device, SimulatedDeviceOptions options, CancellationToken cancellationToken)
    {
        var connectionString = DeviceConnectionStrings.Build(connection, device)
            ?? throw new IotLabKitException($"The device '{device.Id}' authenticates with {device.Authentication?.Type}, not a symmetric key; simulated devices need one.");
        var simulated = SimulatedDevice.Create(connectionString, options);
        var kept = false;
        try
        {
            await simulated.StartAsync(cancellationToken).ConfigureAwait(false);
            if (!SimulationSession.TryAdd(simulated))
                throw new IotLabKitException($"The device '{device.Id}' is already simulated in this session.");
            kept = true;
            return simulated;
        }
        finally
        {
            if (!kept) await simulated.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Clears a device that stopped or failed out of the session; true when a live one with that id is simulated.
    /// </summary>
    internal static bool IsRunning(string deviceId)
    {
        if (SimulationSession.Find(deviceId) is not { } existing) return false;
        if (existing.State is SimulatedDeviceState.Stopped or SimulatedDeviceState.Failed)
        {
            SimulationSession.Remove(existing);
            _ = existing.StopAsync();
            return false;
        }
        return true;
    }
}
