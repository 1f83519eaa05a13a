using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>What happened to a cloud-to-device message (Microsoft's <c>FeedbackStatusCode</c>, the hub's <c>statusCode</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeedbackStatusCode>))]
public enum FeedbackStatusCode
{
    /// <summary>The device completed it.</summary>
    Success = 0,
    /// <summary>It expired first.</summary>
    Expired = 1,
    /// <summary>It was delivered the maximum number of times without being completed.</summary>
    DeliveryCountExceeded = 2,
    /// <summary>The device rejected it.</summary>
    Rejected = 3,
    /// <summary>The device's queue was purged.</summary>
    Purged = 4,
}

/// <summary>One feedback record, as in the hub's feedback JSON.</summary>
public sealed class FeedbackRecord
{
    /// <summary>The message's id.</summary>
    [JsonPropertyName("originalMessageId")] public string? OriginalMessageId { get; set; }

    /// <summary>The device's generation id.</summary>
    [JsonPropertyName("deviceGenerationId")] public string? DeviceGenerationId { get; set; }

    /// <summary>The device.</summary>
    [JsonPropertyName("deviceId")] public string? DeviceId { get; set; }

    /// <summary>When the outcome happened (UTC).</summary>
    [JsonPropertyName("enqueuedTimeUtc")] public DateTime EnqueuedTimeUtc { get; set; }

    /// <summary>The outcome.</summary>
    [JsonPropertyName("statusCode")] public FeedbackStatusCode StatusCode { get; set; }

    /// <summary>The hub's description of the outcome.</summary>
    [JsonPropertyName("description")] public string? Description { get; set; }
}

/// <summary>One feedback message: records locked together until completed or abandoned.</summary>
public sealed class FeedbackBatch
{
    internal FeedbackBatch(string lockToken, DateTime enqueuedTime, string? userId, IReadOnlyList<FeedbackRecord> records)
    {
        LockToken = lockToken;
        EnqueuedTime = enqueuedTime;
        UserId = userId;
        Records = records;
    }

    /// <summary>Settles the batch.</summary>
    public string LockToken { get; }

    /// <summary>When the client received it (UTC).</summary>
    public DateTime EnqueuedTime { get; }

    /// <summary>The hub's name, as IoT Hub stamps it.</summary>
    public string? UserId { get; }

    /// <summary>The records.</summary>
    public IReadOnlyList<FeedbackRecord> Records { get; }
}

/// <summary>What <see cref="ServiceClient.PurgeMessageQueueAsync(string, CancellationToken)"/> answers.</summary>
public sealed class PurgeMessageQueueResult
{
    /// <summary>The device.</summary>
    [JsonPropertyName("deviceId")] public string? DeviceId { get; set; }

    /// <summary>How many messages were dropped.</summary>
    [JsonPropertyName("totalMessagesPurged")] public int TotalMessagesPurged { get; set; }
}
