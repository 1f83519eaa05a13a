using System.Management.Automation;
using System.Text;
using System.Text.Json;
using IotLabKit.Service;

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
    /// <summary>Application properties (name → value) as the device sent them.</summary>
    public PSObject Properties { get; init; } = new();
    /// <summary>System properties as the hub stamped them (message-id, content-type, iothub-connection-device-id …).</summary>
    public PSObject SystemProperties { get; init; } = new();
    /// <summary>The partition it is stored in.</summary>
    public int Partition { get; init; }
    /// <summary>Its sequence number within the partition.</summary>
    public long SequenceNumber { get; init; }
    /// <summary>Its offset within the partition.</summary>
    public string Offset { get; init; } = "";

    /// <summary>Wraps a message for output.</summary>
    internal static PSObject From(TelemetryMessage message)
    {
        var (body, text) = ReadBody(message);
        var record = new TelemetryRecord
        {
            DeviceId = message.DeviceId,
            ModuleId = message.ModuleId,
            EnqueuedTime = message.EnqueuedTimeUtc.LocalDateTime,
            Body = body,
            BodyText = text,
            Properties = Bag(message.Properties),
            SystemProperties = Bag(message.SystemProperties.ToDictionary(p => p.Key, p => (string?)p.Value)),
            Partition = message.Partition,
            SequenceNumber = message.SequenceNumber,
            Offset = message.Offset,
        };
        var ps = PSObject.AsPSObject(record);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <summary>JSON when it parses as JSON (whatever the content type says), text when it is UTF-8, else the bytes.</summary>
    private static (object? Body, string? Text) ReadBody(TelemetryMessage message)
    {
        if (message.Body.Length == 0) return ("", "");
        string text;
        try
        {
            text = message.ContentEncoding is { Length: > 0 } && !message.ContentEncoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                ? message.GetBodyAsString()
                : new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(message.Body);
        }
        catch (DecoderFallbackException)
        {
            return (message.Body, null);
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

    private static PSObject Bag(IReadOnlyDictionary<string, string?> values)
    {
        var bag = new PSObject();
        foreach (var (name, value) in values) bag.Properties.Add(new PSNoteProperty(name, value));
        return bag;
    }

    /// <inheritdoc />
    public override string ToString() => $"{DeviceId} {BodyText}";
}
