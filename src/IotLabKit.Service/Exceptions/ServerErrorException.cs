namespace IotLabKit.Service;

/// <summary>HTTP 500: the hub failed internally. Transient.</summary>
public class ServerErrorException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public ServerErrorException(string message, Exception? innerException = null)
        : base(message, innerException, isTransient: true)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public ServerErrorException(IotHubErrorDetails details)
        : base(details, isTransient: true)
    {
    }
}
