namespace IotLabKit.Service;

/// <summary>HTTP 409: the device (or module, job, configuration) already exists.</summary>
public class DeviceAlreadyExistsException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public DeviceAlreadyExistsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public DeviceAlreadyExistsException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
