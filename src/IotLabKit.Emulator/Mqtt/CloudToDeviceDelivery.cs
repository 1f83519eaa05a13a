using System.Collections.Concurrent;
using System.Globalization;
using IotLabKit.Emulator.Core.CloudToDevice;
using Microsoft.Extensions.Logging;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// Delivers queued cloud-to-device messages to MQTT devices, as IoT Hub does: at QoS 1 on
/// <c>devices/{id}/messages/devicebound/{property bag}</c>, to a connected device subscribed to
/// <c>devices/{id}/messages/devicebound/#</c>; its PUBACK completes the message. A message is locked to the
/// connection it went out on; when that connection ends first, the message goes back to the queue (its delivery
/// counted) and is delivered again on the next connection. MQTTnet would resend its own copy of an unacknowledged
/// publish on a persistent session's reconnect; this class sends the message again itself (the queue may have
/// expired or dead-lettered it meanwhile), so such stale copies are dropped on the way out.
/// </summary>
public sealed class CloudToDeviceDelivery(CloudToDeviceQueue queue, DeviceSessionTable sessions, ILogger<CloudToDeviceDelivery> logger)
{
    // Keyed by the topic string instance of each publish: MQTTnet keeps that instance in its PUBLISH packet, from
    // enqueueing to the PUBACK, so it identifies the delivery whatever packet identifier the session gives it.
    private readonly ConcurrentDictionary<object, InFlight> _inFlight = new(ReferenceEqualityComparer.Instance);

    /// <summary>Starts following the queue.</summary>
    public void Start() => queue.MessagesAvailable += OnMessagesAvailable;

    /// <summary>Stops following the queue.</summary>
    public void Stop() => queue.MessagesAvailable -= OnMessagesAvailable;

    /// <summary>Sends every available message to the device if it is connected and subscribed.</summary>
    public void Deliver(string deviceId)
    {
        if (sessions.Find(deviceId) is not { } session || !session.IsListening(DeviceSubscription.CloudToDevice) || session.Connection is not { } connection)
            return;
        // One delivery pass per device at a time keeps the publishes in queue order.
        lock (session)
        {
            foreach (var locked in queue.LockAvailable(deviceId, connection))
            {
                var topic = DeviceTopics.CloudToDevice(deviceId, PropertyBag(locked.Message));
                _inFlight[topic] = new InFlight(deviceId, locked.LockToken, connection);
                if (!session.TrySend(DeviceSubscription.CloudToDevice, topic, locked.Message.Body, MqttQualityOfServiceLevel.AtLeastOnce, out var sentTo) || sentTo != connection)
                {
                    _inFlight.TryRemove(topic, out _);
                    queue.Abandon(deviceId, locked.LockToken);
                    break;
                }
            }
        }
    }

    /// <summary>A device connected on <paramref name="connection"/>: messages locked to its earlier connections go back, then delivery starts.</summary>
    public void OnConnected(string deviceId, string connection)
    {
        foreach (var (topic, flight) in _inFlight)
        {
            if (flight.DeviceId == deviceId && flight.Connection != connection) _inFlight.TryRemove(topic, out _);
        }
        queue.AbandonOthers(deviceId, connection);
        Deliver(deviceId);
    }

    /// <summary>A connection ended: what it had not acknowledged goes back to the queue.</summary>
    public void OnDisconnected(string deviceId, string connection)
    {
        foreach (var (topic, flight) in _inFlight)
        {
            if (flight.DeviceId == deviceId && flight.Connection == connection) _inFlight.TryRemove(topic, out _);
        }
        queue.AbandonAll(deviceId, connection);
    }

    /// <summary>A device acknowledged a publish: when it was a cloud-to-device message, complete it.</summary>
    public void OnAcknowledged(string clientId, MqttPublishPacket packet)
    {
        if (packet.Topic is null || !_inFlight.TryRemove(packet.Topic, out var flight) || flight.DeviceId != clientId) return;
        try { queue.Complete(flight.DeviceId, flight.LockToken); }
        catch (Exception ex) { logger.LogError(ex, "Completing a cloud-to-device message of device '{DeviceId}' failed.", clientId); }
    }

    /// <summary>False for a stale cloud-to-device publish MQTTnet is about to resend on its own (see the class remarks).</summary>
    public bool ShouldSend(string clientId, MqttPublishPacket packet)
        => packet.Topic is not { } topic || !topic.StartsWith(DeviceTopics.CloudToDevicePrefix(clientId), StringComparison.Ordinal)
            || _inFlight.ContainsKey(topic);

    private void OnMessagesAvailable(string deviceId) => _ = Task.Run(() =>
    {
        try { Deliver(deviceId); }
        catch (Exception ex) { logger.LogError(ex, "Delivering cloud-to-device messages to device '{DeviceId}' failed.", deviceId); }
    });

    /// <summary>
    /// The bag IoT Hub writes: <c>$.mid</c>, <c>$.exp</c> (when the sender set one), <c>$.to</c>, <c>$.cid</c>,
    /// <c>$.uid</c>, <c>$.ct</c>, <c>$.ce</c>, <c>iothub-ack</c>, then the application properties.
    /// </summary>
    internal static string PropertyBag(CloudToDeviceMessage m)
    {
        var pairs = new List<KeyValuePair<string, string?>> { new("$.mid", m.MessageId) };
        if (m.ExpirySetBySender) pairs.Add(new("$.exp", m.ExpiryTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        pairs.Add(new("$.to", m.To));
        if (m.CorrelationId is not null) pairs.Add(new("$.cid", m.CorrelationId));
        if (m.UserId is not null) pairs.Add(new("$.uid", m.UserId));
        if (m.ContentType is not null) pairs.Add(new("$.ct", m.ContentType));
        if (m.ContentEncoding is not null) pairs.Add(new("$.ce", m.ContentEncoding));
        pairs.Add(new("iothub-ack", m.Ack.ToString().ToLowerInvariant()));
        pairs.AddRange(m.Properties);
        return MqttPropertyBag.Encode(pairs);
    }

    private sealed record InFlight(string DeviceId, string LockToken, string Connection);
}
