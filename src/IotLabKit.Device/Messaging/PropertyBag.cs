using System.Globalization;
using System.Text;

namespace IotLabKit.Device;

/// <summary>
/// IoT Hub's MQTT message property bag: <c>key=value&amp;key2=value2</c>, each part URL-encoded, no leading <c>?</c>.
/// System properties use <c>$.</c> names (sent as <c>%24.</c>); everything else is an application property.
/// </summary>
internal static class PropertyBag
{
    private const string MessageId = "$.mid";
    private const string CorrelationId = "$.cid";
    private const string UserId = "$.uid";
    private const string To = "$.to";
    private const string ContentType = "$.ct";
    private const string ContentEncoding = "$.ce";
    private const string CreationTime = "$.ctime";
    private const string Expiry = "$.exp";
    private const string Schema = "$.schema";
    private const string Component = "$.sub";

    /// <summary>Encodes a message's system and application properties, system properties first.</summary>
    public static string Encode(Message message)
    {
        var parts = new List<KeyValuePair<string, string?>>();
        void Add(string key, string? value) { if (value is not null) parts.Add(new(key, value)); }
        Add(MessageId, message.MessageId);
        Add(CorrelationId, message.CorrelationId);
        Add(UserId, message.UserId);
        Add(To, message.To);
        Add(ContentType, message.ContentType);
        Add(ContentEncoding, message.ContentEncoding);
        if (message.CreationTimeUtc != DateTime.MinValue) Add(CreationTime, FormatTime(message.CreationTimeUtc));
        if (message.ExpiryTimeUtc != DateTime.MinValue) Add(Expiry, FormatTime(message.ExpiryTimeUtc));
        Add(Schema, message.MessageSchema);
        Add(Component, message.ComponentName);
        foreach (var p in message.Properties) parts.Add(new(p.Key, p.Value));
        return Encode(parts);
    }

    /// <summary>Encodes key/value pairs; a null value is written as the bare key.</summary>
    public static string Encode(IEnumerable<KeyValuePair<string, string?>> pairs)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(Uri.EscapeDataString(key));
            if (value is not null) sb.Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }

    /// <summary>Decodes a property bag into pairs in order; <c>key</c> alone gives a null value, <c>key=</c> an empty one.</summary>
    public static List<KeyValuePair<string, string?>> Decode(string bag)
    {
        var result = new List<KeyValuePair<string, string?>>();
        if (bag.StartsWith('?')) bag = bag[1..]; // tolerate the leading '?' some gateways add
        foreach (var part in bag.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            result.Add(eq < 0
                ? new(Uri.UnescapeDataString(part), null)
                : new(Uri.UnescapeDataString(part[..eq]), Uri.UnescapeDataString(part[(eq + 1)..])));
        }
        return result;
    }

    /// <summary>A received message: <paramref name="body"/> plus the properties decoded from <paramref name="bag"/>.</summary>
    public static Message ToMessage(byte[] body, string bag)
    {
        var message = new Message(body);
        foreach (var (key, value) in Decode(bag))
        {
            switch (key)
            {
                case MessageId: message.MessageId = value; break;
                case CorrelationId: message.CorrelationId = value; break;
                case UserId: message.UserId = value; break;
                case To: message.To = value; break;
                case ContentType: message.ContentType = value; break;
                case ContentEncoding: message.ContentEncoding = value; break;
                case Schema: message.MessageSchema = value; break;
                case Component: message.ComponentName = value; break;
                case CreationTime: if (TryParseTime(value, out var created)) message.CreationTimeUtc = created; break;
                case Expiry: if (TryParseTime(value, out var expires)) message.ExpiryTimeUtc = expires; break;
                default: message.Properties[key] = value ?? ""; break;
            }
        }
        message.LockToken = message.MessageId;
        return message;
    }

    private static string FormatTime(DateTime time) =>
        (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToString("o", CultureInfo.InvariantCulture);

    private static bool TryParseTime(string? text, out DateTime time) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out time);
}
