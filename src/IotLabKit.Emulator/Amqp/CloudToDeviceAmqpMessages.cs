using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.CloudToDevice;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// Cloud-to-device messages and feedback in IoT Hub's AMQP form: what a service sends on <c>/messages/devicebound</c>
/// (<c>to</c> = <c>/devices/{id}/messages/devicebound</c>, <c>iothub-ack</c> as an application property) and the
/// feedback batches on <c>/messages/serviceBound/feedback</c> (a JSON array in one data section, content type
/// <see cref="FeedbackContentType"/>), and IoT Hub's AMQP error conditions for a refused message.
/// </summary>
public static class CloudToDeviceAmqpMessages
{
    /// <summary>The node services send cloud-to-device messages to.</summary>
    public const string SendAddress = "/messages/devicebound";

    /// <summary>The node services read feedback from.</summary>
    public const string FeedbackAddress = "/messages/serviceBound/feedback";

    /// <summary>The content type of a feedback message.</summary>
    public const string FeedbackContentType = "application/vnd.microsoft.iothub.feedback.json";

    /// <summary>The application property that asks for feedback.</summary>
    public const string AckProperty = "iothub-ack";

    /// <summary>The error-info key carrying IoT Hub's error code name (as the REST header <c>iothub-errorcode</c> does).</summary>
    public const string ErrorCodeInfo = "iothub-errorcode";

    /// <summary>Reads a service's message; throws <see cref="HubException"/> (ArgumentInvalid) when it is not one IoT Hub takes.</summary>
    public static OutgoingCloudToDeviceMessage Read(Message message)
    {
        var properties = message.Properties;
        var deviceId = DeviceIdOf(properties?.To);
        var application = new List<KeyValuePair<string, string?>>();
        var ack = FeedbackAck.None;
        if (message.ApplicationProperties is { } app)
        {
            foreach (var key in app.Map.Keys)
            {
                var name = key.ToString()!;
                var value = Text(app.Map[key]);
                if (string.Equals(name, AckProperty, StringComparison.OrdinalIgnoreCase)) ack = ParseAck(value);
                else application.Add(new(name, value));
            }
        }
        var expiry = properties is null ? DateTime.MinValue : properties.AbsoluteExpiryTime;
        return new OutgoingCloudToDeviceMessage(deviceId, BodyOf(message), Text(properties?.GetMessageId()), ack,
            expiry == DateTime.MinValue ? null : new DateTimeOffset(DateTime.SpecifyKind(expiry, DateTimeKind.Utc)))
        {
            CorrelationId = Text(properties?.GetCorrelationId()),
            UserId = properties?.UserId is { } user ? Encoding.UTF8.GetString(user) : null,
            ContentType = properties?.ContentType?.ToString(),
            ContentEncoding = properties?.ContentEncoding?.ToString(),
            Properties = application,
        };
    }

    /// <summary>One feedback message carrying <paramref name="batch"/>, as IoT Hub sends it.</summary>
    public static Message Feedback(FeedbackBatch batch, string hubName)
    {
        var records = new JsonArray();
        foreach (var r in batch.Records)
        {
            records.Add(new JsonObject
            {
                ["originalMessageId"] = r.OriginalMessageId,
                ["deviceGenerationId"] = r.DeviceGenerationId,
                ["deviceId"] = r.DeviceId,
                ["enqueuedTimeUtc"] = r.EnqueuedTimeUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
                ["statusCode"] = r.Status.ToString(),
                ["description"] = r.Description,
            });
        }
        return new Message
        {
            BodySection = new Data { Binary = Encoding.UTF8.GetBytes(HubJson.Write(records)) },
            Properties = new Properties
            {
                MessageId = batch.LockToken,
                ContentType = FeedbackContentType,
                ContentEncoding = "utf-8",
                UserId = Encoding.UTF8.GetBytes(hubName),
            },
        };
    }

    /// <summary>IoT Hub's AMQP error for a refused message: the condition its SDKs map to their exceptions, and the error code.</summary>
    public static Error ErrorFor(HubException ex) => new(new Symbol(ex.Code switch
    {
        IotHubErrorCode.DeviceMaximumQueueDepthExceeded => "amqp:resource-limit-exceeded",
        IotHubErrorCode.DeviceNotFound => "amqp:not-found",
        IotHubErrorCode.MessageTooLarge => "amqp:link:message-size-exceeded",
        _ when ex.HttpStatus == 400 => "com.microsoft:argument-error",
        _ => "amqp:internal-error",
    }))
    {
        Description = ex.Message,
        Info = new Fields { [new Symbol(ErrorCodeInfo)] = ex.Code.ToString(), [new Symbol("iothub-errornumber")] = (int)ex.Code },
    };

    private static string DeviceIdOf(string? to)
    {
        const string prefix = "/devices/";
        const string suffix = "/messages/devicebound";
        if (to is null || !to.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !to.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
            || to.Length <= prefix.Length + suffix.Length)
            throw HubException.Invalid($"The message's 'to' ('{to}') must be /devices/{{deviceId}}/messages/devicebound.");
        var id = to[prefix.Length..^suffix.Length];
        if (id.Contains('/'))
            throw HubException.Invalid($"The message's 'to' ('{to}') addresses a module or another node; the emulator delivers cloud-to-device messages to devices (/devices/{{deviceId}}/messages/devicebound).");
        return Uri.UnescapeDataString(id);
    }

    private static FeedbackAck ParseAck(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "none" => FeedbackAck.None,
        "positive" => FeedbackAck.Positive,
        "negative" => FeedbackAck.Negative,
        "full" => FeedbackAck.Full,
        _ => throw HubException.Invalid($"The iothub-ack value '{value}' is invalid: use none, positive, negative or full."),
    };

    private static byte[] BodyOf(Message message) => message.BodySection switch
    {
        Data data => data.Binary ?? [],
        AmqpValue { Value: byte[] bytes } => bytes,
        AmqpValue { Value: string text } => Encoding.UTF8.GetBytes(text),
        null => [],
        _ => message.Body is byte[] b ? b : Encoding.UTF8.GetBytes(Convert.ToString(message.Body, CultureInfo.InvariantCulture) ?? ""),
    };

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        Guid g => g.ToString(),
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
