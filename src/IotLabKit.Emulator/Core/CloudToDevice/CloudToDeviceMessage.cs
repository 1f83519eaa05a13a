namespace IotLabKit.Emulator.Core.CloudToDevice;

/// <summary>Which outcomes of a cloud-to-device message the sender wants feedback for (<c>iothub-ack</c>).</summary>
public enum FeedbackAck
{
    /// <summary>No feedback (the default).</summary>
    None,
    /// <summary>Feedback when the device completed the message.</summary>
    Positive,
    /// <summary>Feedback when the message expired, ran out of deliveries, was rejected or purged.</summary>
    Negative,
    /// <summary>Both.</summary>
    Full,
}

/// <summary>What a service asks to send to a device (before the hub stamps it).</summary>
/// <param name="DeviceId">The addressed device.</param>
/// <param name="Body">The body, as sent.</param>
/// <param name="MessageId">The message id; the hub assigns one when null.</param>
/// <param name="Ack">The feedback wanted.</param>
/// <param name="ExpiresOn">The absolute expiry the sender set, or null for the hub's default time to live.</param>
public sealed record OutgoingCloudToDeviceMessage(string DeviceId, byte[] Body, string? MessageId, FeedbackAck Ack, DateTimeOffset? ExpiresOn)
{
    /// <summary>The correlation id.</summary>
    public string? CorrelationId { get; init; }
    /// <summary>The user id.</summary>
    public string? UserId { get; init; }
    /// <summary>The body's content type.</summary>
    public string? ContentType { get; init; }
    /// <summary>The body's content encoding.</summary>
    public string? ContentEncoding { get; init; }
    /// <summary>Application properties, in the order sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Properties { get; init; } = [];
}

/// <summary>A cloud-to-device message in a device's queue. Immutable: a delivery makes a new copy.</summary>
public sealed record CloudToDeviceMessage
{
    /// <summary>Hub-wide order of enqueueing (the store key).</summary>
    public required long Sequence { get; init; }
    /// <summary>The device it is for.</summary>
    public required string DeviceId { get; init; }
    /// <summary>The device's generation when it was sent (a re-created device does not inherit it).</summary>
    public required string GenerationId { get; init; }
    /// <summary>The message id.</summary>
    public required string MessageId { get; init; }
    /// <summary>The feedback the sender asked for.</summary>
    public FeedbackAck Ack { get; init; }
    /// <summary>The correlation id.</summary>
    public string? CorrelationId { get; init; }
    /// <summary>The user id.</summary>
    public string? UserId { get; init; }
    /// <summary>The content type.</summary>
    public string? ContentType { get; init; }
    /// <summary>The content encoding.</summary>
    public string? ContentEncoding { get; init; }
    /// <summary>Application properties.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Properties { get; init; } = [];
    /// <summary>The body.</summary>
    public required byte[] Body { get; init; }
    /// <summary>When the hub accepted it.</summary>
    public required DateTimeOffset EnqueuedTime { get; init; }
    /// <summary>When it expires (the sender's expiry, or enqueued time + the default time to live).</summary>
    public required DateTimeOffset ExpiryTime { get; init; }
    /// <summary>Whether the sender set the expiry (then the device sees it as <c>$.exp</c>).</summary>
    public bool ExpirySetBySender { get; init; }
    /// <summary>How many times it was handed to the device.</summary>
    public int DeliveryCount { get; init; }

    /// <summary>The <c>to</c> IoT Hub stamps on it.</summary>
    public string To => $"/devices/{Uri.EscapeDataString(DeviceId)}/messages/devicebound";
}

/// <summary>A message handed to a device and locked until it is completed, abandoned or rejected.</summary>
/// <param name="Message">The message (its <see cref="CloudToDeviceMessage.DeliveryCount"/> counts this delivery).</param>
/// <param name="LockToken">The token that settles it.</param>
public sealed record LockedCloudToDeviceMessage(CloudToDeviceMessage Message, string LockToken);
