using System.Text;

namespace IotLabKit.Service;

/// <summary>
/// A cloud-to-device message, shaped like Microsoft's <c>Microsoft.Azure.Devices.Message</c>: a body, application
/// properties, and the system properties IoT Hub knows. The body can be read any number of times.
/// </summary>
public sealed class Message : IDisposable
{
    private readonly byte[] _body;

    /// <summary>A message with an empty body.</summary>
    public Message() : this(Array.Empty<byte>()) { }

    /// <summary>A message whose body is <paramref name="body"/> (not copied).</summary>
    public Message(byte[] body) => _body = body ?? throw new ArgumentNullException(nameof(body));

    /// <summary>A message whose body is <paramref name="body"/> as UTF-8.</summary>
    public Message(string body) : this(Encoding.UTF8.GetBytes(body ?? throw new ArgumentNullException(nameof(body)))) { }

    /// <summary>Application properties (sent as AMQP application properties; the device sees them in the property bag).</summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The message id; feedback names it as <c>originalMessageId</c>. The hub assigns one when unset.</summary>
    public string? MessageId { get; set; }

    /// <summary>The correlation id.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>The user id.</summary>
    public string? UserId { get; set; }

    /// <summary>Set by <see cref="ServiceClient.SendAsync(string, Message, TimeSpan?, CancellationToken)"/> to <c>/devices/{id}/messages/deviceBound</c>.</summary>
    public string? To { get; set; }

    /// <summary>The body's content type (<c>application/json</c> …).</summary>
    public string? ContentType { get; set; }

    /// <summary>The body's content encoding (<c>utf-8</c> …).</summary>
    public string? ContentEncoding { get; set; }

    /// <summary>When the message expires; <see cref="DateTime.MinValue"/> (the default) means the hub's time to live (1 hour on IoT Hub).</summary>
    public DateTime ExpiryTimeUtc { get; set; }

    /// <summary>Which outcomes produce feedback (<c>iothub-ack</c>). Default <see cref="DeliveryAcknowledgement.None"/>.</summary>
    public DeliveryAcknowledgement Ack { get; set; }

    /// <summary>The body's length in bytes.</summary>
    public int BodyLength => _body.Length;

    /// <summary>A copy of the body.</summary>
    public byte[] GetBytes() => (byte[])_body.Clone();

    /// <summary>A read-only stream over the body.</summary>
    public Stream BodyStream => new MemoryStream(_body, writable: false);

    internal byte[] Body => _body;

    /// <summary>Nothing to release; present so <c>using var message = new Message(…)</c> reads as in Microsoft's SDK.</summary>
    public void Dispose() { }
}
