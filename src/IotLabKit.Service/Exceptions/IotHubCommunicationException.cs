namespace IotLabKit.Service;

/// <summary>
/// The hub could not be reached or did not answer: connection refused, host not found, TLS failure (for example an
/// untrusted certificate), or no answer within <see cref="ServiceClientOptions.Timeout"/>. There is no HTTP status.
/// </summary>
public class IotHubCommunicationException : IotHubException
{
    /// <summary>Creates the exception.</summary>
    public IotHubCommunicationException(string message, Exception? innerException = null, bool isTransient = true)
        : base(message, innerException, isTransient)
    {
    }
}
