using IotLabKit.Device;

namespace IotLabKit.Simulation;

/// <summary>Settings of a <see cref="SimulatedDevice"/>. The defaults follow the course.</summary>
public sealed class SimulatedDeviceOptions
{
    /// <summary>The shortest telemetry interval a device accepts, from options or from <c>telemetryConfig</c>.</summary>
    public static readonly TimeSpan MinimumTelemetryInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest telemetry interval a device accepts.</summary>
    public static readonly TimeSpan MaximumTelemetryInterval = TimeSpan.FromDays(7);

    /// <summary>Which patterns the device plays. Default <see cref="SimulatedBehaviors.All"/>.</summary>
    public SimulatedBehaviors Behaviors { get; set; } = SimulatedBehaviors.All;

    /// <summary>
    /// The factory telemetry interval, used until the desired <c>telemetryConfig.sendFrequency</c> says otherwise
    /// and again after a factory reset. Default 5 s (Lab 15's device). 100 ms to 7 days.
    /// </summary>
    public TimeSpan TelemetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The seed of the sensor readings: the same seed gives the same readings. Null for a random seed.</summary>
    public int? Seed { get; set; }

    /// <summary>The factory firmware version (Lab 16: "1.0.0"); a factory reset returns to it.</summary>
    public string FirmwareVersion { get; set; } = "1.0.0";

    /// <summary>How long the device-management steps take. Default <see cref="SimulationTimings.Course"/>.</summary>
    public SimulationTimings Timings { get; set; } = SimulationTimings.Course;

    /// <summary>
    /// Holds every direct-method answer back this long, to show what a slow or hung device does to the caller
    /// (a response timeout shorter than this gives 504). Default none.
    /// </summary>
    public TimeSpan MethodResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Receives each log line (<c>"sensor-th-0155: Device booted"</c>, as the course's devices print them). Runs on background threads.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>How many log lines <see cref="SimulatedDevice.Log"/> keeps. Default 200.</summary>
    public int LogCapacity { get; set; } = 200;

    /// <summary>The clock for waits and timestamps. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The MQTT transport. Default <see cref="TransportType.Mqtt"/>.</summary>
    public TransportType Transport { get; set; } = TransportType.Mqtt;

    /// <summary>Settings of the device client (emulator CA, timeouts); null for the defaults with this options' clock.</summary>
    public DeviceClientOptions? ClientOptions { get; set; }

    /// <summary>Sees every reported patch the hub has accepted, in order (for tests of the exact sequences).</summary>
    internal Action<System.Text.Json.Nodes.JsonObject>? ReportObserver { get; set; }

    internal void Validate()
    {
        if ((Behaviors & ~SimulatedBehaviors.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(Behaviors), Behaviors, "Unknown behaviour flags.");
        if (TelemetryInterval < MinimumTelemetryInterval || TelemetryInterval > MaximumTelemetryInterval)
            throw new ArgumentOutOfRangeException(nameof(TelemetryInterval), TelemetryInterval, "The telemetry interval must be between 100 ms and 7 days.");
        if (string.IsNullOrWhiteSpace(FirmwareVersion))
            throw new ArgumentException("The firmware version must not be empty.", nameof(FirmwareVersion));
        if (MethodResponseDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MethodResponseDelay), MethodResponseDelay, "The method response delay must not be negative.");
        if (LogCapacity < 0)
            throw new ArgumentOutOfRangeException(nameof(LogCapacity), LogCapacity, "The log capacity must not be negative.");
        ArgumentNullException.ThrowIfNull(Timings);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        Timings.Validate();
    }
}
