using System.Management.Automation;
using System.Text;
using System.Text.Json;
using Azure.Messaging.EventHubs.Consumer;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// A device-to-cloud message as Receive-IotTelemetry shows it (PSTypeName <c>IotLabKit.TelemetryMessage</c>): who sent
/// it and when the hub took it, the body (parsed when it is JSON), application and system properties, and where it
/// sits in the hub's partitions.
/// </summary>
public sealed class TelemetryRecord
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.TelemetryMessage";

    /// <summary>The device that sent it.</summary>
    public string DeviceId { get; init; } = "";
    /// <summary>The module that sent it, or null.</summary>
    public string? ModuleId { get; init; }
    /// <summary>When the hub enqueued it (local time).</summary>
    public DateTime EnqueuedTime { get; init; }
    /// <summary>The body: PowerShell objects when it is JSON, else text, else (not UTF-8 text) the bytes.</summary>
    public object? Body { get; init; }
    /// <summary>The body as text, or null when it is not text.</summary>
    public string? BodyText { get; init; }
    /// <summary>Application properties (name → value) as the device sent them (strings, from IoT Hub devices).</summary>
    public PSObject Properties { get; init; } = new();
    /// <summary>System properties as the hub stamped them (message-id, content-type, iothub-connection-device-id, iothub-enqueuedtime, x-opt-sequence-number …).</summary>
    public PSObject SystemProperties { get; init; } = new();
    /// <summary>The id of the partition it is stored in.</summary>
    public string Partition { get; init; } = "";
    /// <summary>Its sequence number within the partition.</summary>
    public long SequenceNumber { get; init; }
    /// <summary>Its offset within the partition.</summary>
    public string Offset { get; init; } = "";

    /// <summary>Wraps an event read from the Event Hubs-compatible endpoint for output.</summary>
    internal static PSObject From(PartitionEvent partitionEvent)
    {
        var data = partitionEvent.Data;
        var system = data.SystemProperties;
        var encoding = system.TryGetValue("content-encoding", out var e) ? e as string : null;
        var (body, text) = ReadBody(data.EventBody.ToArray(), encoding);
        var record = new TelemetryRecord
        {
            DeviceId = system.TryGetValue(DeviceIdProperty, out var device) ? device as string ?? "" : "",
            ModuleId = system.TryGetValue(ModuleIdProperty, out var module) ? module as string : null,
            EnqueuedTime = data.EnqueuedTime.LocalDateTime,
            Body = body,
            BodyText = text,
            Properties = Bag(data.Properties),
            SystemProperties = Bag(system),
            Partition = partitionEvent.Partition.PartitionId,
            SequenceNumber = data.SequenceNumber,
            Offset = data.OffsetString,
        };
        var ps = PSObject.AsPSObject(record);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <summary>The system property IoT Hub stamps with the sending device's id.</summary>
    internal const string DeviceIdProperty = "iothub-connection-device-id";

    /// <summary>The system property IoT Hub stamps with the sending module's id.</summary>
    internal const string ModuleIdProperty = "iothub-connection-module-id";

    /// <summary>JSON when it parses as JSON (whatever the content type says), text when it is UTF-8, else the bytes.</summary>
    private static (object? Body, string? Text) ReadBody(byte[] bytes, string? contentEncoding)
    {
        if (bytes.Length == 0) return ("", "");
        string text;
        try
        {
            var encoding = contentEncoding is { Length: > 0 } && !contentEncoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                ? EncodingOrUtf8(contentEncoding)
                : new UTF8Encoding(false, throwOnInvalidBytes: true);
            text = encoding.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return (bytes, null);
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return (PSJson.ToPSValue(document.RootElement), text);
        }
        catch (JsonException)
        {
            return (text, text);
        }
    }

    // A content-encoding .NET does not know is read as strict UTF-8 (bytes when that fails): nothing is lost.
    private static Encoding EncodingOrUtf8(string name)
    {
        try { return Encoding.GetEncoding(name, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback); }
        catch (ArgumentException) { return new UTF8Encoding(false, throwOnInvalidBytes: true); }
    }

    private static PSObject Bag<TValue>(IEnumerable<KeyValuePair<string, TValue>> values)
    {
        var bag = new PSObject();
        foreach (var (name, value) in values) bag.Properties.Add(new PSNoteProperty(name, value));
        return bag;
    }

    /// <inheritdoc />
    public override string ToString() => $"{DeviceId} {BodyText}";
}
