namespace IotLabKit.Service;

/// <summary>
/// HTTP 404: the device does not exist. Also the base of every other not-found error (module, job, configuration,
/// device not online), because Microsoft's client raises DeviceNotFoundException for every 404 and code written
/// for it catches this type.
/// </summary>
public class DeviceNotFoundException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public DeviceNotFoundException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public DeviceNotFoundException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
