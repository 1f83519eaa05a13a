namespace IotLabKit.Simulation;

/// <summary>
/// The device-management patterns of the AZ-220 course a <see cref="SimulatedDevice"/> plays. Combine them with
/// <c>|</c> (PowerShell: <c>-Behavior Reboot, Telemetry</c>).
/// </summary>
[Flags]
public enum SimulatedBehaviors
{
    /// <summary>None: the device connects and answers every direct method with 501.</summary>
    None = 0,

    /// <summary>
    /// The <c>reboot</c> direct method: answers 200, reports <c>iothubDM.reboot</c> (<c>status</c> "rebooting",
    /// <c>lastReboot</c>), goes offline for <see cref="SimulationTimings.RebootDuration"/>, comes back and reports
    /// <c>status</c> "completed" with <c>lastRebootEndTime</c>.
    /// </summary>
    Reboot = 1,

    /// <summary>
    /// The <c>factoryReset</c> direct method: like <see cref="Reboot"/> under <c>iothubDM.factoryReset</c>, and the
    /// device comes back with its factory firmware version and telemetry interval.
    /// </summary>
    FactoryReset = 2,

    /// <summary>
    /// Telemetry configuration through the desired property <c>telemetryConfig.sendFrequency</c> ("30s", "5m",
    /// "PT1H", or a number of seconds), reported back under <c>telemetryConfig</c> with <c>status</c> "pending",
    /// then "success" (and <c>sendFrequencyInSeconds</c>) or "failed" (and <c>error</c>).
    /// </summary>
    TelemetryConfig = 4,

    /// <summary>
    /// Lab 16's firmware update, driven by the desired property <c>firmware</c>
    /// (<c>fwVersion</c>, <c>fwPackageURI</c>, <c>fwPackageCheckValue</c>), reporting the course's exact sequence
    /// under <c>firmware</c>: current → downloading 0/25/50/75/100 → verifying → applying → rebooting → current.
    /// </summary>
    FirmwareUpdate = 8,

    /// <summary>
    /// Periodic telemetry <c>{"temperature":…,"humidity":…}</c> (Lab 15's cheese cave with the fan off), every
    /// <see cref="SimulatedDeviceOptions.TelemetryInterval"/> or the configured <c>sendFrequency</c>.
    /// </summary>
    Telemetry = 16,

    /// <summary>Every pattern: the default.</summary>
    All = Reboot | FactoryReset | TelemetryConfig | FirmwareUpdate | Telemetry,
}
