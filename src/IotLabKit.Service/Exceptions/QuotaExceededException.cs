namespace IotLabKit.Service;

/// <summary>HTTP 403: a quota is used up (daily messages, queue depth, concurrent jobs).</summary>
public class QuotaExceededException : IotHubException
{
    /// <summary>Creates the exception with a message of your own.</summary>
    public QuotaExceededException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the hub's answer.</summary>
    public QuotaExceededException(IotHubErrorDetails details)
        : base(details)
    {
    }
}
