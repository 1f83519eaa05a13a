using System.Text;

namespace IotLabKit.Service;

/// <summary>
/// A device-to-cloud message as the hub stored it: body, application properties, system properties (by their Event
/// Hubs names: <c>message-id</c>, <c>content-type</c>, <c>iothub-connection-device-id</c> …) and where it sits in
/// the hub's telemetry partitions.
/// </summary>
public sealed class TelemetryMessage
{
    /// <summary>The device that sent it.</summary>
    public required string DeviceId { get; init; }
    /// <summary>The module that sent it, or null.</summary>
    public string? ModuleId { get; init; }
    /// <summary>The partition it is stored in (a device always uses the same one).</summary>
    public int Partition { get; init; }
    /// <summary>Its sequence number within the partition.</summary>
    public long SequenceNumber { get; init; }
    /// <summary>Its offset within the partition (Event Hubs' offsets are strings).</summary>
    public string Offset { get; init; } = "";
    /// <summary>When the hub stored it.</summary>
    public DateTimeOffset EnqueuedTimeUtc { get; init; }
    /// <summary>The payload, as sent.</summary>
    public byte[] Body { get; init; } = [];
    /// <summary>Application properties (a property sent without a value has a null value).</summary>
    public IReadOnlyDictionary<string, string?> Properties { get; init; } = new Dictionary<string, string?>();
    /// <summary>System properties, as the hub stamped them.</summary>
    public IReadOnlyDictionary<string, string> SystemProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>message-id</c> the device set, or null.</summary>
    public string? MessageId => SystemProperties.GetValueOrDefault("message-id");
    /// <summary>The <c>correlation-id</c> the device set, or null.</summary>
    public string? CorrelationId => SystemProperties.GetValueOrDefault("correlation-id");
    /// <summary>The <c>content-type</c> the device set (for example <c>application/json</c>), or null.</summary>
    public string? ContentType => SystemProperties.GetValueOrDefault("content-type");
    /// <summary>The <c>content-encoding</c> the device set (for example <c>utf-8</c>), or null.</summary>
    public string? ContentEncoding => SystemProperties.GetValueOrDefault("content-encoding");

    /// <summary>The body as text: in the message's content encoding when it names one .NET knows, else UTF-8.</summary>
    public string GetBodyAsString()
    {
        Encoding encoding;
        try { encoding = ContentEncoding is { Length: > 0 } name ? Encoding.GetEncoding(name) : Encoding.UTF8; }
        catch (ArgumentException) { encoding = Encoding.UTF8; }
        return encoding.GetString(Body);
    }
}
