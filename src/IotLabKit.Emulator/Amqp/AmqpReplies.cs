using Amqp;
using Amqp.Framing;

namespace IotLabKit.Emulator.Amqp;

/// <summary>Replies on request/response nodes (<c>$cbs</c>, <c>$management</c>): status in application properties, correlated to the request.</summary>
internal static class AmqpReplies
{
    public static Message Create(Message request, int status, string description, object? body = null)
    {
        var reply = body is null ? new Message() : new Message(body);
        reply.Properties = new Properties();
        if (request.Properties?.GetMessageId() is { } id) reply.Properties.SetCorrelationId(id);
        reply.ApplicationProperties = new ApplicationProperties
        {
            ["status-code"] = status,
            ["status-description"] = description,
        };
        return reply;
    }

    public static string? Property(Message request, string name)
        => request.ApplicationProperties?.Map[name] as string;
}
