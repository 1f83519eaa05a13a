namespace IotLabKit.Service;

/// <summary>HTTP 408 or 504: the hub (or, for a direct method, the device) did not answer in time (error codes GenericTimeout, GatewayTimeout).</summary>
public class IotHubTimeoutException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public IotHubTimeoutException(string message, Exception? innerException = null)
        : base(message, innerException, isTransient: true)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public IotHubTimeoutException(IotHubErrorDetails details)
        : base(details, isTransient: true)
    {
    }

    /// <summary>Creates the exception from the hub's answer, with a message that says more than the hub's.</summary>
    public IotHubTimeoutException(IotHubErrorDetails details, string message)
        : base(details, message, isTransient: true)
    {
    }
}
