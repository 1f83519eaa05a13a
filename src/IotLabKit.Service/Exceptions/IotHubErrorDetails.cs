using IotLabKit.Protocol;

namespace IotLabKit.Service;

/// <summary>What IoT Hub said about a failed request, read from its status line, headers and error body.</summary>
public sealed class IotHubErrorDetails
{
    /// <summary>The HTTP status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>The error code when it is one we know.</summary>
    public IotHubErrorCode? ErrorCode { get; init; }

    /// <summary>The error name as written by the hub (header <c>iothub-errorcode</c> or the body), if any.</summary>
    public string? ErrorName { get; init; }

    /// <summary>The hub's message text (never empty: a description of the status when the body had none).</summary>
    public required string Message { get; init; }

    /// <summary>The tracking id, if the hub gave one.</summary>
    public string? TrackingId { get; init; }

    /// <summary>The raw response body (for diagnostics), possibly empty.</summary>
    public string Body { get; init; } = "";

    /// <inheritdoc />
    public override string ToString() => $"{StatusCode} {ErrorName ?? "(no code)"}: {Message}";
}
