using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Storage;
using MQTTnet.Protocol;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// Keeps each device's persistent-session subscriptions in the hub's store, so a device that never subscribes
/// again (Microsoft's Node SDK) keeps working after the emulator restarts, as it does when IoT Hub restarts a
/// gateway. Stored with the device's generation id: a deleted and re-created device does not inherit them.
/// Written only when the set changes (a handful of writes in a device's life).
/// </summary>
public sealed class SessionPersistence
{
    private readonly HubState _hub;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string GenerationId, Dictionary<DeviceSubscription, MqttQualityOfServiceLevel> Subscriptions)> _stored;

    /// <summary>Loads what the store holds.</summary>
    public SessionPersistence(HubState hub)
    {
        _hub = hub;
        _stored = new(StringComparer.Ordinal);
        foreach (var entity in hub.LoadCollection(StoreCollections.MqttSessions))
        {
            var json = JsonNode.Parse(entity.Json)!.AsObject();
            var subscriptions = new Dictionary<DeviceSubscription, MqttQualityOfServiceLevel>();
            foreach (var (name, qos) in json["subscriptions"]!.AsObject())
                if (Enum.TryParse<DeviceSubscription>(name, out var kind)) subscriptions[kind] = (MqttQualityOfServiceLevel)(int)qos!;
            _stored[entity.Id] = ((string)json["generationId"]!, subscriptions);
        }
    }

    /// <summary>The stored subscriptions of a device's persistent session, if it has any for this generation.</summary>
    public IReadOnlyDictionary<DeviceSubscription, MqttQualityOfServiceLevel>? Find(string deviceId, string generationId)
    {
        lock (_gate)
            return _stored.TryGetValue(deviceId, out var s) && s.GenerationId == generationId && s.Subscriptions.Count > 0 ? s.Subscriptions : null;
    }

    /// <summary>Stores the subscriptions (none: forgets the device) when they differ from what is stored.</summary>
    public void Save(string deviceId, string? generationId, IReadOnlyDictionary<DeviceSubscription, MqttQualityOfServiceLevel> subscriptions)
    {
        lock (_gate)
        {
            var known = _stored.TryGetValue(deviceId, out var current);
            if (subscriptions.Count == 0 || generationId is null)
            {
                if (!known) return;
                _stored.Remove(deviceId);
                _hub.Write(tx => { tx.Stage(new StoreChange(StoreCollections.MqttSessions, deviceId, null)); return 0; });
                return;
            }
            if (known && current.GenerationId == generationId && current.Subscriptions.Count == subscriptions.Count
                && current.Subscriptions.All(s => subscriptions.TryGetValue(s.Key, out var q) && q == s.Value)) return;
            var copy = subscriptions.ToDictionary(s => s.Key, s => s.Value);
            var json = new JsonObject { ["generationId"] = generationId, ["subscriptions"] = new JsonObject(copy.Select(s => KeyValuePair.Create(s.Key.ToString(), (JsonNode?)(int)s.Value))) };
            _hub.Write(tx => { tx.Stage(new StoreChange(StoreCollections.MqttSessions, deviceId, HubJson.Write(json))); return 0; });
            _stored[deviceId] = (generationId, copy);
        }
    }
}
