namespace IotLabKit.Service;

/// <summary>HTTP 400: the hub rejected an argument or the request body. (Microsoft's client raises ArgumentException here; this type keeps the error code and tracking id.)</summary>
public class IotHubArgumentException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public IotHubArgumentException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public IotHubArgumentException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
