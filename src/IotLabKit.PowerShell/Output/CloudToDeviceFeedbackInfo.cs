using System.Management.Automation;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>One feedback record, as <c>Receive-CloudToDeviceFeedback</c> writes it (PSTypeName <c>IotLabKit.CloudToDeviceFeedback</c>).</summary>
public sealed class CloudToDeviceFeedbackInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.CloudToDeviceFeedback";

    /// <summary>The device.</summary>
    public string? DeviceId { get; init; }

    /// <summary>The id of the message the record is about.</summary>
    public string? OriginalMessageId { get; init; }

    /// <summary>Success, Expired, DeliveryCountExceeded, Rejected or Purged.</summary>
    public string StatusCode { get; init; } = "";

    /// <summary>The hub's description.</summary>
    public string? Description { get; init; }

    /// <summary>When the outcome happened (UTC).</summary>
    public DateTime EnqueuedTimeUtc { get; init; }

    /// <summary>The device's generation id.</summary>
    public string? DeviceGenerationId { get; init; }

    internal static PSObject From(FeedbackRecord record)
    {
        var ps = PSObject.AsPSObject(new CloudToDeviceFeedbackInfo
        {
            DeviceId = record.DeviceId,
            OriginalMessageId = record.OriginalMessageId,
            StatusCode = record.StatusCode.ToString(),
            Description = record.Description,
            EnqueuedTimeUtc = record.EnqueuedTimeUtc,
            DeviceGenerationId = record.DeviceGenerationId,
        });
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => $"{DeviceId} {OriginalMessageId} {StatusCode}";
}
