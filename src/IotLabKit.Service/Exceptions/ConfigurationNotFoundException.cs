namespace IotLabKit.Service;

/// <summary>HTTP 404 ConfigurationNotFound. Derives from DeviceNotFoundException because Microsoft's client raises that for every 404.</summary>
public class ConfigurationNotFoundException : DeviceNotFoundException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public ConfigurationNotFoundException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public ConfigurationNotFoundException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
