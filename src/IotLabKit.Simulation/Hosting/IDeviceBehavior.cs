using IotLabKit.Device;

namespace IotLabKit.Simulation.Hosting;

/// <summary>
/// One device-management pattern of a simulated device. The host owns the device client: it registers the
/// behaviour's direct methods, calls <see cref="OnBootAsync"/> whenever the device (re)starts, passes on every
/// desired-property change, and cancels the boot's token when the device goes down.
/// </summary>
internal interface IDeviceBehavior
{
    /// <summary>The direct methods this behaviour answers, by name.</summary>
    IReadOnlyDictionary<string, MethodCallback> Methods { get; }

    /// <summary>The device has (re)started: report the boot state and start any periodic work under <paramref name="boot"/>.</summary>
    Task OnBootAsync(CancellationToken boot);

    /// <summary>A desired-property patch (or, after a reconnect, the whole desired section) arrived.</summary>
    Task OnDesiredAsync(TwinCollection desired, CancellationToken boot);

    /// <summary>A factory reset: forget everything learned since the device left the factory (the device is offline).</summary>
    void ResetToFactory();
}
