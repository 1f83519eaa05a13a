namespace IotLabKit.Service;

/// <summary>HTTP 503: the hub is temporarily unavailable. Transient; the client already retried with backoff.</summary>
public class ServerBusyException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public ServerBusyException(string message, Exception? innerException = null)
        : base(message, innerException, isTransient: true)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public ServerBusyException(IotHubErrorDetails details)
        : base(details, isTransient: true)
    {
    }
}
