namespace IotLabKit.Service;

/// <summary>HTTP 401: the SAS token is missing, wrong, expired, or its policy lacks the permission the operation needs.</summary>
public class UnauthorizedException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public UnauthorizedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public UnauthorizedException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
