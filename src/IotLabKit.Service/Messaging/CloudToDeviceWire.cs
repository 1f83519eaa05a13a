using Amqp.Framing;

namespace IotLabKit.Service;

/// <summary>How a cloud-to-device <see cref="Message"/> goes on IoT Hub's AMQP link (what Microsoft's SDKs send).</summary>
internal static class CloudToDeviceWire
{
    /// <summary>The node services send to.</summary>
    public const string SendAddress = "/messages/devicebound";

    /// <summary>The AMQP message: body as one data section, ids and <c>to</c> in the properties, <c>iothub-ack</c> and the application properties.</summary>
    public static Amqp.Message ToAmqp(Message message)
    {
        var properties = new Properties { To = message.To };
        if (message.MessageId is not null) properties.MessageId = message.MessageId;
        if (message.CorrelationId is not null) properties.CorrelationId = message.CorrelationId;
        if (message.UserId is not null) properties.UserId = System.Text.Encoding.UTF8.GetBytes(message.UserId);
        if (message.ContentType is not null) properties.ContentType = message.ContentType;
        if (message.ContentEncoding is not null) properties.ContentEncoding = message.ContentEncoding;
        if (message.ExpiryTimeUtc != DateTime.MinValue) properties.AbsoluteExpiryTime = message.ExpiryTimeUtc.Kind == DateTimeKind.Local ? message.ExpiryTimeUtc.ToUniversalTime() : DateTime.SpecifyKind(message.ExpiryTimeUtc, DateTimeKind.Utc);
        var application = new ApplicationProperties();
        foreach (var (key, value) in message.Properties) application[key] = value;
        application["iothub-ack"] = message.Ack switch
        {
            DeliveryAcknowledgement.PositiveOnly => "positive",
            DeliveryAcknowledgement.NegativeOnly => "negative",
            DeliveryAcknowledgement.Full => "full",
            _ => "none",
        };
        return new Amqp.Message
        {
            BodySection = new Data { Binary = message.Body },
            Properties = properties,
            ApplicationProperties = application,
        };
    }
}
