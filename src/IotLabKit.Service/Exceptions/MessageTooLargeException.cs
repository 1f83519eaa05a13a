namespace IotLabKit.Service;

/// <summary>HTTP 413: the request or message is too large.</summary>
public class MessageTooLargeException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public MessageTooLargeException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public MessageTooLargeException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
