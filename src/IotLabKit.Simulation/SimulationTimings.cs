namespace IotLabKit.Simulation;

/// <summary>
/// How long a simulated device's device-management steps take. <see cref="Course"/> holds the course's figures
/// (Lab 16's firmware update takes 23 s); <see cref="Scale"/> compresses them for tests and quick demos.
/// </summary>
public sealed record SimulationTimings
{
    /// <summary>The course's timings.</summary>
    public static SimulationTimings Course { get; } = new();

    /// <summary>The wait between the download progress reports 0, 25, 50, 75 and 100 % (Lab 16: 2 s).</summary>
    public TimeSpan FirmwareDownloadStep { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long verifying the package takes (Lab 16: 5 s).</summary>
    public TimeSpan FirmwareVerify { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long applying the firmware takes (Lab 16: 5 s).</summary>
    public TimeSpan FirmwareApply { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the reboot at the end of a firmware update takes (Lab 16: 5 s).</summary>
    public TimeSpan FirmwareReboot { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after its answer to <c>reboot</c> or <c>factoryReset</c> is out the device starts to go down (a real
    /// device schedules the restart for after the method has returned). Default 1 s.
    /// </summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the device stays offline while it reboots or resets. Default 5 s.</summary>
    public TimeSpan RebootDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole firmware update from the desired patch to the final report.</summary>
    public TimeSpan FirmwareUpdateTotal => FirmwareDownloadStep * 4 + FirmwareVerify + FirmwareApply + FirmwareReboot;

    /// <summary>
    /// These timings multiplied by <paramref name="factor"/>: <c>Course.Scale(0.1)</c> runs the firmware update in
    /// 2.3 s instead of 23 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor is not positive, or above 100.</exception>
    public SimulationTimings Scale(double factor)
    {
        if (!(factor > 0 && factor <= 100))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The time scale must be greater than 0 and at most 100.");
        return new SimulationTimings
        {
            FirmwareDownloadStep = FirmwareDownloadStep * factor,
            FirmwareVerify = FirmwareVerify * factor,
            FirmwareApply = FirmwareApply * factor,
            FirmwareReboot = FirmwareReboot * factor,
            RestartDelay = RestartDelay * factor,
            RebootDuration = RebootDuration * factor,
        };
    }

    internal void Validate()
    {
        static void NotNegative(TimeSpan value, string name)
        {
            if (value < TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
        }
        NotNegative(FirmwareDownloadStep, nameof(FirmwareDownloadStep));
        NotNegative(FirmwareVerify, nameof(FirmwareVerify));
        NotNegative(FirmwareApply, nameof(FirmwareApply));
        NotNegative(FirmwareReboot, nameof(FirmwareReboot));
        NotNegative(RestartDelay, nameof(RestartDelay));
        NotNegative(RebootDuration, nameof(RebootDuration));
    }
}
