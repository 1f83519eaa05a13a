using System.Management.Automation;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// A cloud-to-device message sent by <c>Send-CloudToDeviceMessage</c> (PSTypeName
/// <c>IotLabKit.CloudToDeviceMessage</c>): <see cref="Status"/> is <c>Queued</c> once the hub has it, or, with
/// -Wait, the outcome the hub's feedback reports (<c>Success</c>, <c>Expired</c>, <c>DeliveryCountExceeded</c>,
/// <c>Rejected</c>, <c>Purged</c>).
/// </summary>
public sealed class CloudToDeviceMessageResult
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.CloudToDeviceMessage";

    /// <summary>The device it was sent to.</summary>
    public string DeviceId { get; init; } = "";

    /// <summary>The message id (feedback names it as originalMessageId).</summary>
    public string MessageId { get; init; } = "";

    /// <summary>The correlation id, if one was set.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The feedback asked for: None, Positive, Negative or Full.</summary>
    public string Ack { get; init; } = "None";

    /// <summary><c>Queued</c>, or the feedback's status code.</summary>
    public string Status { get; init; } = "Queued";

    /// <summary>The feedback's description, or null without -Wait.</summary>
    public string? Description { get; init; }

    /// <summary>When the hub accepted the message (local time).</summary>
    public DateTime SentTime { get; init; }

    /// <summary>When the outcome happened (UTC, from the feedback), or null without -Wait.</summary>
    public DateTime? OutcomeTimeUtc { get; init; }

    /// <summary>The body's length in bytes.</summary>
    public int BodyLength { get; init; }

    internal PSObject ToPSObject()
    {
        var ps = PSObject.AsPSObject(this);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => $"{DeviceId} {MessageId} {Status}";
}
