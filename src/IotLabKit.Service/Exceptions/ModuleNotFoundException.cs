namespace IotLabKit.Service;

/// <summary>HTTP 404 ModuleNotFound. Derives from DeviceNotFoundException because Microsoft's client raises that for every 404.</summary>
public class ModuleNotFoundException : DeviceNotFoundException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public ModuleNotFoundException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public ModuleNotFoundException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
