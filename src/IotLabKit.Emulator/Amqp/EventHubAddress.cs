namespace IotLabKit.Emulator.Amqp;

/// <summary>A partition reader's address: <c>{eventHub}/ConsumerGroups/{group}/Partitions/{id}</c>.</summary>
/// <param name="EventHub">The entity (the hub's name on IoT Hub's built-in endpoint).</param>
/// <param name="ConsumerGroup">The consumer group.</param>
/// <param name="Partition">The partition id as sent.</param>
public sealed record EventHubAddress(string EventHub, string ConsumerGroup, string Partition)
{
    /// <summary>Parses an address (an absolute <c>amqps://host/…</c> form too); null when it is not a partition reader's.</summary>
    public static EventHubAddress? TryParse(string? address)
    {
        if (string.IsNullOrEmpty(address)) return null;
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" or "sb")
            address = Uri.UnescapeDataString(uri.AbsolutePath);
        var parts = address.Trim('/').Split('/');
        if (parts.Length == 5
            && parts[1].Equals("ConsumerGroups", StringComparison.OrdinalIgnoreCase)
            && parts[3].Equals("Partitions", StringComparison.OrdinalIgnoreCase))
            return new EventHubAddress(parts[0], parts[2], parts[4]);
        return null;
    }

    /// <summary>
    /// Event Hubs' refusal of a reader in a consumer group that does not exist. Its wording matters: Azure's clients
    /// read an <c>amqp:not-found</c> whose text says "The messaging entity … could not be found" as
    /// <c>EventHubsException.FailureReason.ResourceNotFound</c> (not worth retrying).
    /// </summary>
    public static string ConsumerGroupNotFound(string hubName, string consumerGroup)
        => $"The messaging entity '{hubName}/ConsumerGroups/{consumerGroup}' could not be found. The consumer group '{consumerGroup}' does not exist on this hub's Event Hubs-compatible endpoint: create it first (New-IotHubConsumerGroup, or PUT /$iotlabkit/eventHubEndpoints/events/consumerGroups/{consumerGroup}).";
}
