namespace IotLabKit.Emulator.Core.Telemetry;

/// <summary>A device-to-cloud message as a device sent it, before the hub stores it.</summary>
/// <param name="DeviceId">The sending device.</param>
/// <param name="ModuleId">The sending module, or null.</param>
/// <param name="Body">The payload bytes, as sent.</param>
/// <param name="SystemProperties">System properties by their AMQP / Event Hubs names (<c>message-id</c>, <c>content-type</c>, <c>iothub-connection-device-id</c> …).</param>
/// <param name="Properties">Application properties, in the order sent (a value may be null).</param>
public sealed record TelemetryMessage(
    string DeviceId,
    string? ModuleId,
    byte[] Body,
    IReadOnlyDictionary<string, string> SystemProperties,
    IReadOnlyList<KeyValuePair<string, string?>> Properties);

/// <summary>
/// A stored telemetry event: the message plus where it lives — its partition, sequence number (per partition, from
/// 0), offset (per partition, increasing, as Event Hubs' byte offsets are) and enqueued time. This is what the
/// emulator's read path returns, and what an Event Hubs-compatible endpoint would serve.
/// </summary>
public sealed record TelemetryEvent(
    int Partition,
    long SequenceNumber,
    long Offset,
    DateTimeOffset EnqueuedTime,
    TelemetryMessage Message)
{
    /// <summary>The size that advances the partition's offset: body plus properties, at least 1.</summary>
    public long Size => Math.Max(1, Message.Body.Length
        + Message.SystemProperties.Sum(p => p.Key.Length + p.Value.Length)
        + Message.Properties.Sum(p => p.Key.Length + (p.Value?.Length ?? 0)));
}

/// <summary>What a partition holds now (Event Hubs' partition properties).</summary>
/// <param name="Partition">The partition.</param>
/// <param name="BeginningSequenceNumber">The first retained sequence number (the next one when empty).</param>
/// <param name="LastSequenceNumber">The last sequence number, -1 when nothing was ever stored.</param>
/// <param name="LastOffset">The last event's offset, -1 when nothing was ever stored.</param>
/// <param name="LastEnqueuedTime">The last event's enqueued time, or null.</param>
/// <param name="IsEmpty">True when nothing is retained.</param>
public sealed record TelemetryPartitionInfo(int Partition, long BeginningSequenceNumber, long LastSequenceNumber, long LastOffset,
    DateTimeOffset? LastEnqueuedTime, bool IsEmpty);

/// <summary>Where to start reading a partition.</summary>
public abstract record TelemetryPosition
{
    /// <summary>The oldest retained event.</summary>
    public static TelemetryPosition Earliest { get; } = new EarliestPosition();
    /// <summary>Only events enqueued from now on.</summary>
    public static TelemetryPosition Latest { get; } = new LatestPosition();
    /// <summary>The first event enqueued at or after <paramref name="time"/>.</summary>
    public static TelemetryPosition FromEnqueuedTime(DateTimeOffset time) => new EnqueuedTimePosition(time);
    /// <summary>The event with this sequence number (or the first after it that is retained).</summary>
    public static TelemetryPosition FromSequenceNumber(long sequenceNumber) => new SequenceNumberPosition(sequenceNumber);
    /// <summary>The first event after the one at <paramref name="offset"/>.</summary>
    public static TelemetryPosition AfterOffset(long offset) => new OffsetPosition(offset);

    internal sealed record EarliestPosition : TelemetryPosition;
    internal sealed record LatestPosition : TelemetryPosition;
    internal sealed record EnqueuedTimePosition(DateTimeOffset Time) : TelemetryPosition;
    internal sealed record SequenceNumberPosition(long SequenceNumber) : TelemetryPosition;
    internal sealed record OffsetPosition(long Offset) : TelemetryPosition;
}
