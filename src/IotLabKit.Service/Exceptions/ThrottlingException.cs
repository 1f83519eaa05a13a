namespace IotLabKit.Service;

/// <summary>HTTP 429: the hub is throttling requests. Transient; the client already retried with backoff.</summary>
public class ThrottlingException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public ThrottlingException(string message, Exception? innerException = null)
        : base(message, innerException, isTransient: true)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public ThrottlingException(IotHubErrorDetails details)
        : base(details, isTransient: true)
    {
    }
}
