namespace IotLabKit.Emulator.Core.CloudToDevice;

/// <summary>The outcome a feedback record reports, spelled as IoT Hub spells <c>statusCode</c>.</summary>
public enum FeedbackStatus
{
    /// <summary>The device completed the message.</summary>
    Success,
    /// <summary>The message expired before the device completed it.</summary>
    Expired,
    /// <summary>The message was delivered the maximum number of times without being completed.</summary>
    DeliveryCountExceeded,
    /// <summary>The device rejected the message.</summary>
    Rejected,
    /// <summary>The device's queue was purged.</summary>
    Purged,
}

/// <summary>One feedback record: what happened to one cloud-to-device message.</summary>
/// <param name="Sequence">Hub-wide order (the store key).</param>
/// <param name="OriginalMessageId">The message's id.</param>
/// <param name="DeviceId">The device.</param>
/// <param name="DeviceGenerationId">The device's generation id.</param>
/// <param name="EnqueuedTimeUtc">When the outcome happened.</param>
/// <param name="Status">The outcome.</param>
public sealed record FeedbackRecord(long Sequence, string OriginalMessageId, string DeviceId, string DeviceGenerationId, DateTimeOffset EnqueuedTimeUtc, FeedbackStatus Status)
{
    /// <summary>IoT Hub's description of the outcome.</summary>
    public string Description => Status switch
    {
        FeedbackStatus.Success => "Success",
        FeedbackStatus.Expired => "Message expired",
        FeedbackStatus.DeliveryCountExceeded => "Message delivery count exceeded",
        FeedbackStatus.Rejected => "Message rejected",
        _ => "Message purged",
    };

    /// <summary>True when a message sent with <paramref name="ack"/> asks for feedback on <paramref name="status"/>.</summary>
    public static bool IsWanted(FeedbackAck ack, FeedbackStatus status)
        => ack == FeedbackAck.Full || (status == FeedbackStatus.Success ? ack == FeedbackAck.Positive : ack == FeedbackAck.Negative);
}

/// <summary>Feedback records handed to a service in one message, locked until it completes or abandons them.</summary>
/// <param name="LockToken">Settles the batch.</param>
/// <param name="Records">The records, oldest first.</param>
public sealed record FeedbackBatch(string LockToken, IReadOnlyList<FeedbackRecord> Records);
