using IotLabKit.Protocol;

namespace IotLabKit.Service;

/// <summary>
/// An error IoT Hub (or the emulator) answered with, or a failure to reach it. <see cref="Exception.Message"/> is
/// the hub's own message text, unchanged; the error code, HTTP status and tracking id travel beside it.
/// </summary>
public class IotHubException : Exception
{
    /// <summary>Creates an exception for a client-side failure with no hub answer.</summary>
    public IotHubException(string message, Exception? innerException = null, bool isTransient = false)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Creates an exception from a parsed hub error answer.</summary>
    public IotHubException(IotHubErrorDetails details, bool isTransient = false)
        : base(details.Message)
    {
        ArgumentNullException.ThrowIfNull(details);
        Details = details;
        IsTransient = isTransient;
    }

    /// <summary>
    /// Creates an exception from a parsed hub error answer with a message of the client's own, for when the hub's
    /// text alone would not say enough (it stays in <see cref="IotHubErrorDetails.Message"/>).
    /// </summary>
    protected IotHubException(IotHubErrorDetails details, string message, bool isTransient)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(details);
        Details = details;
        IsTransient = isTransient;
    }

    /// <summary>The parsed answer, or null when the hub did not answer (transport failure, client-side timeout).</summary>
    public IotHubErrorDetails? Details { get; }

    /// <summary>The error code when the hub reported one we know; null otherwise (see <see cref="ErrorName"/>).</summary>
    public IotHubErrorCode? ErrorCode => Details?.ErrorCode;

    /// <summary>The error name as the hub wrote it (<c>DeviceNotFound</c>), even when it is not in <see cref="IotHubErrorCode"/>.</summary>
    public string? ErrorName => Details?.ErrorName;

    /// <summary>The HTTP status code, or 0 when there was no answer.</summary>
    public int StatusCode => Details?.StatusCode ?? 0;

    /// <summary>The hub's tracking id for the failed request, when it gave one (quote it in support requests).</summary>
    public string? TrackingId => Details?.TrackingId;

    /// <summary>True when trying again later may succeed (throttling, busy, server error, transport failure).</summary>
    public bool IsTransient { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        if (Details is null) return base.ToString();
        var code = ErrorCode is { } c ? $"{c} {(int)c}" : ErrorName ?? "no error code";
        var tracking = TrackingId is null ? "" : $", tracking id {TrackingId}";
        return $"{GetType().FullName}: {Message} (HTTP {StatusCode}, {code}{tracking}){Environment.NewLine}{StackTrace}";
    }
}
