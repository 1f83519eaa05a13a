namespace IotLabKit.Emulator.Storage;

/// <summary>One entity as stored: its id within a collection and its JSON.</summary>
public sealed record StoredEntity(string Id, string Json);

/// <summary>A change to write: <paramref name="Json"/> null deletes the entity.</summary>
public sealed record StoreChange(string Collection, string Id, string? Json);

/// <summary>The collections the hub keeps.</summary>
public static class StoreCollections
{
    /// <summary>One entity per device: identity and twin together.</summary>
    public const string Devices = "devices";

    /// <summary>One entity per automatic device configuration, with its last metric results.</summary>
    public const string Configurations = "configurations";

    /// <summary>One entity per device with a persistent MQTT session: its subscriptions, so they outlive a restart.</summary>
    public const string MqttSessions = "mqttSessions";

    /// <summary>One entity per consumer group created on the Event Hubs-compatible endpoint (not $Default).</summary>
    public const string ConsumerGroups = "consumerGroups";

    /// <summary>One entity per queued cloud-to-device message (key: its hub-wide sequence number).</summary>
    public const string CloudToDeviceMessages = "c2dMessages";

    /// <summary>One entity per feedback record not yet completed by a service (key: its sequence number).</summary>
    public const string CloudToDeviceFeedback = "c2dFeedback";
}

/// <summary>
/// Where the hub's state survives the process. The hub holds everything in memory and writes each change
/// through here before it acknowledges it, so <see cref="Apply"/> must be durable against the process being
/// killed when it returns. Changes are applied as one atomic batch (a job touching 10,000 twins is one call).
/// </summary>
public interface IHubStore : IDisposable
{
    /// <summary>"sqlite" or "memory", as the status file reports it.</summary>
    string Kind { get; }

    /// <summary>Every entity of a collection (called once at start).</summary>
    IReadOnlyList<StoredEntity> LoadAll(string collection);

    /// <summary>Writes a batch of changes atomically: all or none.</summary>
    void Apply(IReadOnlyList<StoreChange> changes);
}
