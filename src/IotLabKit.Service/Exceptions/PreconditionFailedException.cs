namespace IotLabKit.Service;

/// <summary>HTTP 412: the ETag given in If-Match is not the current one; read the entity again and retry with its ETag, or pass "*".</summary>
public class PreconditionFailedException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public PreconditionFailedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public PreconditionFailedException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
