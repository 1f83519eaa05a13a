namespace IotLabKit.Service;

/// <summary>HTTP 404 DeviceNotOnline: the device is not connected or has not subscribed to direct methods. Derives from DeviceNotFoundException because Microsoft's client raises that for every 404.</summary>
public class DeviceNotOnlineException : DeviceNotFoundException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public DeviceNotOnlineException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public DeviceNotOnlineException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
