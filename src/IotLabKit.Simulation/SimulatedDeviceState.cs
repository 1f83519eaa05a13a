namespace IotLabKit.Simulation;

/// <summary>Where a <see cref="SimulatedDevice"/> is in its life.</summary>
public enum SimulatedDeviceState
{
    /// <summary>Created, not started.</summary>
    Created,
    /// <summary>Connecting and registering its handlers.</summary>
    Starting,
    /// <summary>Up: answering methods, following its desired properties, sending telemetry.</summary>
    Running,
    /// <summary>Rebooting or resetting: offline for a while, then back to <see cref="Running"/>.</summary>
    Restarting,
    /// <summary>Disconnecting for good.</summary>
    Stopping,
    /// <summary>Stopped; it cannot be started again.</summary>
    Stopped,
    /// <summary>It could not start or come back from a restart; <see cref="SimulatedDevice.LastError"/> says why.</summary>
    Failed,
}

/// <summary>A line of a simulated device's log.</summary>
/// <param name="Time">When it was written.</param>
/// <param name="Text">What happened (without the device id).</param>
public sealed record SimulatedDeviceLogEntry(DateTimeOffset Time, string Text)
{
    /// <inheritdoc />
    public override string ToString() => $"{Time.ToLocalTime():HH:mm:ss.fff} {Text}";
}
