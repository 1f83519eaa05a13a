using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// What the MQTT endpoint knows about each device's MQTT session: whether it is connected (and over which
/// connection), what it has subscribed to — which, with CleanSession=0, outlives connections as MQTT's session
/// does — and how to hand it a message. Subscriptions are tracked here, not asked of MQTTnet, so "is this device
/// listening for methods" is a dictionary look-up however many devices are connected.
/// </summary>
public sealed class DeviceSessionTable
{
    private readonly ConcurrentDictionary<string, DeviceSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>The session record of a device, created on first use.</summary>
    public DeviceSession Get(string deviceId) => _sessions.GetOrAdd(deviceId, id => new DeviceSession(id));

    /// <summary>The session record of a device, or null when it never connected.</summary>
    public DeviceSession? Find(string deviceId) => _sessions.GetValueOrDefault(deviceId);

    /// <summary>Every device that holds a connection now.</summary>
    public IEnumerable<DeviceSession> Connected => _sessions.Values.Where(s => s.IsConnected);

    /// <summary>Forgets a device (after it was deleted).</summary>
    public void Remove(string deviceId)
    {
        if (_sessions.TryRemove(deviceId, out var session)) session.EndSession();
    }
}

/// <summary>One device's MQTT session as the hub sees it. Thread-safe.</summary>
public sealed class DeviceSession
{
    private readonly Lock _gate = new();
    private readonly Dictionary<DeviceSubscription, MqttQualityOfServiceLevel> _subscriptions = [];
    private TaskCompletionSource _changed = NewSignal();
    private MqttSessionStatus? _mqtt;
    private string? _endpoint;

    internal DeviceSession(string deviceId) => DeviceId = deviceId;

    /// <summary>The device id (MQTT client id).</summary>
    public string DeviceId { get; }

    /// <summary>True while the device holds a connection.</summary>
    public bool IsConnected { get { lock (_gate) return _endpoint is not null; } }

    /// <summary>The current connection's key (its remote end point), or null when the device is not connected.</summary>
    public string? Connection { get { lock (_gate) return _endpoint; } }

    /// <summary>When the SAS token of the current connection expires (the hub then closes it), or null.</summary>
    public DateTimeOffset? TokenExpiresOn { get { lock (_gate) return _tokenExpiresOn; } }
    private DateTimeOffset? _tokenExpiresOn;

    /// <summary>Set while a CONNECT is being accepted: whether it asked for a clean session, and its token's expiry.</summary>
    internal (bool CleanSession, DateTimeOffset? TokenExpiresOn) PendingConnect { get; set; }

    /// <summary>Completes at the next change of connection or subscriptions (then a new task takes its place).</summary>
    public Task Changed { get { lock (_gate) return _changed.Task; } }

    /// <summary>True when the device is connected and subscribed to <paramref name="subscription"/>.</summary>
    public bool IsListening(DeviceSubscription subscription)
    {
        lock (_gate) return _endpoint is not null && _subscriptions.ContainsKey(subscription);
    }

    /// <summary>The device's subscriptions and their granted QoS (kept across connections with CleanSession=0).</summary>
    public IReadOnlyDictionary<DeviceSubscription, MqttQualityOfServiceLevel> Subscriptions
    {
        get { lock (_gate) return new Dictionary<DeviceSubscription, MqttQualityOfServiceLevel>(_subscriptions); }
    }

    /// <summary>True when the current connection asked for a clean session.</summary>
    internal bool IsCleanSession { get { lock (_gate) return PendingConnect.CleanSession; } }

    /// <summary>A connection was accepted: <paramref name="endpoint"/> identifies it until it ends.</summary>
    internal void OnConnected(string endpoint, MqttSessionStatus? mqtt)
    {
        lock (_gate)
        {
            var (clean, expires) = PendingConnect;
            if (clean) _subscriptions.Clear();
            _endpoint = endpoint;
            _mqtt = mqtt;
            _tokenExpiresOn = expires;
        }
        Pulse();
    }

    /// <summary>A connection ended; false when it was not the current one (a newer one already replaced it).</summary>
    internal bool OnDisconnected(string endpoint)
    {
        lock (_gate)
        {
            if (_endpoint != endpoint) return false;
            _endpoint = null;
            _tokenExpiresOn = null;
        }
        Pulse();
        return true;
    }

    internal void OnSubscribed(DeviceSubscription subscription, MqttQualityOfServiceLevel granted)
    {
        lock (_gate) _subscriptions[subscription] = granted;
        Pulse();
    }

    internal void OnUnsubscribed(DeviceSubscription subscription)
    {
        lock (_gate) _subscriptions.Remove(subscription);
        Pulse();
    }

    /// <summary>The MQTT session is gone (clean session ended, device deleted): its subscriptions with it.</summary>
    internal void EndSession()
    {
        lock (_gate)
        {
            _subscriptions.Clear();
            _mqtt = null;
        }
        Pulse();
    }

    /// <summary>
    /// Queues a publish to the device at QoS 0 (as IoT Hub sends twin answers, desired patches and method requests) if
    /// it is connected and subscribed to <paramref name="subscription"/>; false otherwise.
    /// </summary>
    public bool TrySend(DeviceSubscription subscription, string topic, byte[] payload)
        => TrySend(subscription, topic, payload, MqttQualityOfServiceLevel.AtMostOnce, out _);

    /// <summary>
    /// Queues a publish at <paramref name="qos"/> if the device is connected and subscribed to
    /// <paramref name="subscription"/>; <paramref name="connection"/> names the connection it went to.
    /// </summary>
    public bool TrySend(DeviceSubscription subscription, string topic, byte[] payload, MqttQualityOfServiceLevel qos, out string? connection)
    {
        MqttSessionStatus? mqtt;
        lock (_gate)
        {
            connection = _endpoint;
            if (_endpoint is null || !_subscriptions.ContainsKey(subscription)) return false;
            mqtt = _mqtt;
        }
        if (mqtt is null) return false;
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .Build();
        return mqtt.TryEnqueueApplicationMessage(message, out _);
    }

    private void Pulse()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = NewSignal();
        }
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
