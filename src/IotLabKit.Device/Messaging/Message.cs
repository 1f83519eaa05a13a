using System.Text;

namespace IotLabKit.Device;

/// <summary>
/// A device-to-cloud (telemetry) or cloud-to-device message: a body of bytes, application properties, and the
/// system properties IoT Hub knows. Shaped like Microsoft's <c>Microsoft.Azure.Devices.Client.Message</c>; unlike
/// it, the body can be read any number of times.
/// </summary>
public sealed class Message : IDisposable
{
    private readonly byte[] _body;

    /// <summary>A message with an empty body.</summary>
    public Message() : this(Array.Empty<byte>()) { }

    /// <summary>A message whose body is <paramref name="body"/> (not copied).</summary>
    public Message(byte[] body) => _body = body ?? throw new ArgumentNullException(nameof(body));

    /// <summary>A message whose body is <paramref name="body"/> encoded as UTF-8.</summary>
    public Message(string body) : this(Encoding.UTF8.GetBytes(body ?? throw new ArgumentNullException(nameof(body)))) { }

    /// <summary>A message whose body is what remains in <paramref name="body"/> (read now).</summary>
    public Message(Stream body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var copy = new MemoryStream();
        body.CopyTo(copy);
        _body = copy.ToArray();
    }

    /// <summary>Application properties (names and values are strings; they travel in the topic, URL-encoded).</summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The message id (<c>$.mid</c>).</summary>
    public string? MessageId { get; set; }

    /// <summary>The correlation id (<c>$.cid</c>).</summary>
    public string? CorrelationId { get; set; }

    /// <summary>The user id (<c>$.uid</c>).</summary>
    public string? UserId { get; set; }

    /// <summary>The destination (<c>$.to</c>); set by the hub on cloud-to-device messages.</summary>
    public string? To { get; set; }

    /// <summary>The body's content type (<c>$.ct</c>), for example <c>application/json</c>; message routing needs it to query the body.</summary>
    public string? ContentType { get; set; }

    /// <summary>The body's content encoding (<c>$.ce</c>), for example <c>utf-8</c>.</summary>
    public string? ContentEncoding { get; set; }

    /// <summary>The message schema (<c>$.schema</c>).</summary>
    public string? MessageSchema { get; set; }

    /// <summary>The Plug and Play component the message belongs to (<c>$.sub</c>).</summary>
    public string? ComponentName { get; set; }

    /// <summary>When the message was created (<c>$.ctime</c>); <see cref="DateTime.MinValue"/> when unset.</summary>
    public DateTime CreationTimeUtc { get; set; }

    /// <summary>When the message expires (<c>$.exp</c>); <see cref="DateTime.MinValue"/> when unset.</summary>
    public DateTime ExpiryTimeUtc { get; set; }

    /// <summary>The lock token of a received cloud-to-device message (its message id over MQTT, where nothing is locked).</summary>
    public string? LockToken { get; internal set; }

    /// <summary>The body's length in bytes.</summary>
    public int BodyLength => _body.Length;

    /// <summary>A copy of the body.</summary>
    public byte[] GetBytes() => (byte[])_body.Clone();

    /// <summary>A read-only stream over the body.</summary>
    public Stream BodyStream => new MemoryStream(_body, writable: false);

    /// <summary>The body without copying, for the transport.</summary>
    internal ReadOnlyMemory<byte> Body => _body;

    /// <summary>Nothing to release; present so <c>using var message = new Message(…)</c> reads as in Microsoft's SDK.</summary>
    public void Dispose() { }
}
