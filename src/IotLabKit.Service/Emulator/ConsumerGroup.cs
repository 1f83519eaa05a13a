using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>A consumer group of the hub's Event Hubs-compatible endpoint, shaped like ARM's (<c>name</c>, <c>properties.created</c>).</summary>
public sealed class ConsumerGroup
{
    /// <summary>Its name (<c>$Default</c>, or one created).</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>When it was created; null for <c>$Default</c>.</summary>
    [JsonPropertyName("properties")]
    public ConsumerGroupProperties Properties { get; set; } = new();
}

/// <summary>The properties of a <see cref="ConsumerGroup"/>.</summary>
public sealed class ConsumerGroupProperties
{
    /// <summary>When the group was created (UTC); null for <c>$Default</c>.</summary>
    [JsonPropertyName("created")]
    public DateTime? Created { get; set; }
}

/// <summary>The list answer (<c>{"value":[…]}</c>, as ARM's).</summary>
internal sealed class ConsumerGroupList
{
    [JsonPropertyName("value")]
    public List<ConsumerGroup> Value { get; set; } = [];
}
