using Amqp;
using Amqp.Framing;
using Amqp.Types;
using IotLabKit.Emulator.Core.Telemetry;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// A stored telemetry event as IoT Hub's built-in endpoint delivers it: the body as a data section, the device's
/// properties as application properties, message-id/correlation-id/content-type/content-encoding/user-id/to in the
/// properties section, and the hub's stamps (<c>iothub-connection-device-id</c>, <c>iothub-enqueuedtime</c> …) with
/// Event Hubs' own (<c>x-opt-sequence-number</c>, <c>x-opt-offset</c>, <c>x-opt-enqueued-time</c>) as message annotations.
/// </summary>
public static class EventHubMessages
{
    /// <summary>Builds the AMQP message for <paramref name="ev"/>.</summary>
    public static Message ToAmqp(TelemetryEvent ev)
    {
        var message = ev.Message;
        var properties = new Properties();
        var annotations = new MessageAnnotations();
        foreach (var (name, value) in message.SystemProperties)
        {
            switch (name)
            {
                case "message-id": properties.MessageId = value; break;
                case "correlation-id": properties.CorrelationId = value; break;
                case "content-type": properties.ContentType = value; break;
                case "content-encoding": properties.ContentEncoding = value; break;
                case "user-id": properties.UserId = System.Text.Encoding.UTF8.GetBytes(value); break;
                case "to": properties.To = value; break;
                case "absolute-expiry-time": break; // a device's expiry does not travel to the Event Hubs endpoint
                default: annotations[new Symbol(name)] = value; break;
            }
        }
        // AMQP timestamps are milliseconds; truncating (not rounding) keeps "from this event's enqueued time" finding it.
        var enqueued = ev.EnqueuedTime.UtcDateTime;
        enqueued = enqueued.AddTicks(-(enqueued.Ticks % TimeSpan.TicksPerMillisecond));
        annotations[new Symbol("iothub-enqueuedtime")] = enqueued;
        annotations[new Symbol("x-opt-sequence-number")] = ev.SequenceNumber;
        annotations[new Symbol("x-opt-offset")] = ev.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        annotations[new Symbol("x-opt-enqueued-time")] = enqueued;
        var application = new ApplicationProperties();
        foreach (var (name, value) in message.Properties) application[name] = value;
        return new Message
        {
            BodySection = new Data { Binary = message.Body },
            Properties = properties,
            MessageAnnotations = annotations,
            ApplicationProperties = application,
        };
    }
}
