using System.Text.Json.Nodes;
using IotLabKit.Device;

namespace IotLabKit.Simulation.Hosting;

/// <summary>What a behaviour may use of the simulated device that hosts it.</summary>
internal interface ISimulationHost
{
    /// <summary>The device id.</summary>
    string DeviceId { get; }

    /// <summary>The device's settings.</summary>
    SimulatedDeviceOptions Options { get; }

    /// <summary>The clock.</summary>
    TimeProvider Time { get; }

    /// <summary>Writes a log line (prefixed with the device id, as the course's devices print).</summary>
    void Log(string text);

    /// <summary>Remembers a failure for <see cref="SimulatedDevice.LastError"/> and logs it.</summary>
    void RecordError(string during, Exception exception);

    /// <summary>Sends a reported-properties patch.</summary>
    Task ReportAsync(JsonObject patch, CancellationToken cancellationToken);

    /// <summary>Reads the twin.</summary>
    Task<Twin> GetTwinAsync(CancellationToken cancellationToken);

    /// <summary>Sends a telemetry message and counts it.</summary>
    Task SendEventAsync(Message message, CancellationToken cancellationToken);

    /// <summary>Runs work in the background; it is awaited when the device stops.</summary>
    void RunInBackground(string what, Func<CancellationToken, Task> work, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the right to restart the device; false when a restart is already under way (a second reboot request
    /// during the first).
    /// </summary>
    bool TryBeginRestart();

    /// <summary>
    /// Restarts the device (after <see cref="TryBeginRestart"/>): waits <see cref="SimulationTimings.RestartDelay"/>,
    /// stops the current boot's work, disconnects, optionally resets to factory settings, stays offline for
    /// <see cref="SimulationTimings.RebootDuration"/>, reconnects and boots again. Returns once booted.
    /// </summary>
    Task RestartAsync(bool factoryReset, CancellationToken cancellationToken);

    /// <summary>The telemetry interval now in effect.</summary>
    TimeSpan TelemetryInterval { get; }

    /// <summary>Changes the telemetry interval; the telemetry loop picks it up at once.</summary>
    void SetTelemetryInterval(TimeSpan interval);

    /// <summary>Raised after <see cref="SetTelemetryInterval"/>.</summary>
    event Action? TelemetryIntervalChanged;

    /// <summary>Publishes the firmware state for <see cref="SimulatedDevice.FirmwareVersion"/> and <see cref="SimulatedDevice.FirmwareUpdateStatus"/>.</summary>
    void SetFirmwareState(string version, string status);
}
