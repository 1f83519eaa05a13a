using System.Globalization;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.CloudToDevice;

namespace IotLabKit.Emulator.Storage;

/// <summary>The stored form of queued cloud-to-device messages and of feedback records.</summary>
public static class CloudToDeviceSerializer
{
    /// <summary>The entity id of a sequence number: fixed width, so the store's id order is the sequence order.</summary>
    public static string Key(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Writes a message.</summary>
    public static string Write(CloudToDeviceMessage m)
    {
        var properties = new JsonArray();
        foreach (var (k, v) in m.Properties) properties.Add(new JsonArray(k, v));
        return HubJson.Write(new JsonObject
        {
            ["seq"] = m.Sequence,
            ["deviceId"] = m.DeviceId,
            ["generationId"] = m.GenerationId,
            ["messageId"] = m.MessageId,
            ["ack"] = m.Ack.ToString(),
            ["correlationId"] = m.CorrelationId,
            ["userId"] = m.UserId,
            ["contentType"] = m.ContentType,
            ["contentEncoding"] = m.ContentEncoding,
            ["properties"] = properties,
            ["body"] = Convert.ToBase64String(m.Body),
            ["enqueuedTime"] = m.EnqueuedTime.UtcTicks,
            ["expiryTime"] = m.ExpiryTime.UtcTicks,
            ["expirySetBySender"] = m.ExpirySetBySender,
            ["deliveryCount"] = m.DeliveryCount,
        });
    }

    /// <summary>Reads what <see cref="Write(CloudToDeviceMessage)"/> wrote.</summary>
    public static CloudToDeviceMessage ReadMessage(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        var properties = new List<KeyValuePair<string, string?>>();
        foreach (var pair in o["properties"]!.AsArray()) properties.Add(new((string)pair![0]!, (string?)pair[1]));
        return new CloudToDeviceMessage
        {
            Sequence = (long)o["seq"]!,
            DeviceId = (string)o["deviceId"]!,
            GenerationId = (string)o["generationId"]!,
            MessageId = (string)o["messageId"]!,
            Ack = Enum.Parse<FeedbackAck>((string)o["ack"]!),
            CorrelationId = (string?)o["correlationId"],
            UserId = (string?)o["userId"],
            ContentType = (string?)o["contentType"],
            ContentEncoding = (string?)o["contentEncoding"],
            Properties = properties,
            Body = Convert.FromBase64String((string)o["body"]!),
            EnqueuedTime = new DateTimeOffset((long)o["enqueuedTime"]!, TimeSpan.Zero),
            ExpiryTime = new DateTimeOffset((long)o["expiryTime"]!, TimeSpan.Zero),
            ExpirySetBySender = (bool)o["expirySetBySender"]!,
            DeliveryCount = (int)o["deliveryCount"]!,
        };
    }

    /// <summary>Writes a feedback record.</summary>
    public static string Write(FeedbackRecord r) => HubJson.Write(new JsonObject
    {
        ["seq"] = r.Sequence,
        ["originalMessageId"] = r.OriginalMessageId,
        ["deviceId"] = r.DeviceId,
        ["deviceGenerationId"] = r.DeviceGenerationId,
        ["enqueuedTimeUtc"] = r.EnqueuedTimeUtc.UtcTicks,
        ["statusCode"] = r.Status.ToString(),
    });

    /// <summary>Reads what <see cref="Write(FeedbackRecord)"/> wrote.</summary>
    public static FeedbackRecord ReadFeedback(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        return new FeedbackRecord((long)o["seq"]!, (string)o["originalMessageId"]!, (string)o["deviceId"]!, (string)o["deviceGenerationId"]!,
            new DateTimeOffset((long)o["enqueuedTimeUtc"]!, TimeSpan.Zero), Enum.Parse<FeedbackStatus>((string)o["statusCode"]!));
    }
}
