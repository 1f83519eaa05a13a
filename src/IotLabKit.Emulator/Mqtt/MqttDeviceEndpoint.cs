using System.Buffers;
using System.Text;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.AspNetCore;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// The hub's device endpoint: an embedded MQTTnet server whose connections arrive through Kestrel (MQTT over TLS
/// on the MQTT port and, sniffed, on the HTTPS port; MQTT over WebSocket at <c>/$iothub/websocket</c>). It never
/// routes one client's publishes to another: device publishes go to the hub core (twins, methods, telemetry) and
/// the hub's messages are queued straight into the addressed device's session. Sessions are persistent: with
/// CleanSession=0 a device's subscriptions survive disconnects, re-opens and SAS renewal.
/// </summary>
public sealed class MqttDeviceEndpoint : IHostedService, IDisposable
{
    private readonly MqttServer _server;
    private readonly DeviceSessionTable _sessions;
    private readonly DeviceConnectAuthenticator _authenticator;
    private readonly DeviceRegistry _registry;
    private readonly TwinRequestHandler _twinRequests;
    private readonly MqttDirectMethodInvoker _methods;
    private readonly TelemetryIngress _telemetry;
    private readonly SessionPersistence _persistence;
    private readonly TwinStore _twins;
    private readonly TimeProvider _clock;
    private readonly ILogger<MqttDeviceEndpoint> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SubAckOrder _subAckOrder = new();
    private readonly CloudToDeviceDelivery _cloudToDevice;
    private Task? _expiryWatch;

    /// <summary>Creates the endpoint; it accepts connections once started.</summary>
    public MqttDeviceEndpoint(MqttConnectionHandler connections, MqttWebSocketServerAdapter webSockets, DeviceSessionTable sessions,
        DeviceConnectAuthenticator authenticator, DeviceRegistry registry, TwinStore twins, TwinRequestHandler twinRequests,
        MqttDirectMethodInvoker methods, TelemetryIngress telemetry, SessionPersistence persistence, TimeProvider clock, ILogger<MqttDeviceEndpoint> logger,
        CloudToDeviceDelivery cloudToDevice)
    {
        _cloudToDevice = cloudToDevice;
        _sessions = sessions;
        _authenticator = authenticator;
        _registry = registry;
        _twins = twins;
        _twinRequests = twinRequests;
        _methods = methods;
        _telemetry = telemetry;
        _persistence = persistence;
        _clock = clock;
        _logger = logger;
        var options = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithPersistentSessions(true)
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(30))
            .WithMaxPendingMessagesPerClient(1000)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options, [connections, webSockets]);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.ClientConnectedAsync += OnClientConnectedAsync;
        _server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientSubscribedTopicAsync += OnSubscribedAsync;
        _server.ClientUnsubscribedTopicAsync += OnUnsubscribedAsync;
        _server.SessionDeletedAsync += OnSessionDeletedAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingInboundPacketAsync += e =>
        {
            if (e.Packet is MQTTnet.Packets.MqttSubscribePacket subscribe) _subAckOrder.OnSubscribe(e.ClientId, subscribe);
            return Task.CompletedTask;
        };
        _server.InterceptingOutboundPacketAsync += e =>
        {
            if (e.Packet is MQTTnet.Packets.MqttSubAckPacket subAck) _subAckOrder.OnSubAck(e.ClientId, subAck);
            else if (e.Packet is MQTTnet.Packets.MqttPublishPacket publish && !_cloudToDevice.ShouldSend(e.ClientId, publish)) e.ProcessPacket = false;
            return Task.CompletedTask;
        };
        _server.ClientAcknowledgedPublishPacketAsync += e =>
        {
            _cloudToDevice.OnAcknowledged(e.ClientId, e.PublishPacket);
            return Task.CompletedTask;
        };
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _server.StartAsync().ConfigureAwait(false);
        _twins.DesiredPropertiesChanged += OnDesiredPropertiesChanged;
        _registry.DeviceAccessRevoked += OnDeviceAccessRevoked;
        _cloudToDevice.Start();
        _expiryWatch = Task.Run(() => CloseExpiredConnectionsAsync(_stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _twins.DesiredPropertiesChanged -= OnDesiredPropertiesChanged;
        _registry.DeviceAccessRevoked -= OnDeviceAccessRevoked;
        _cloudToDevice.Stop();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_expiryWatch is not null) await _expiryWatch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _server.StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _server.Dispose();
        _stopping.Dispose();
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var decision = _authenticator.Authenticate(e.ClientId, e.UserName, e.Password, e.ProtocolVersion);
        e.ReasonCode = decision.Code;
        if (decision.Accepted)
            _sessions.Get(e.ClientId).PendingConnect = (e.CleanSession ?? true, decision.TokenExpiresOn);
        else
            _logger.LogWarning("MQTT CONNECT from '{ClientId}' refused ({Code}): {Reason}", e.ClientId, decision.Code, decision.Refusal);
        return Task.CompletedTask;
    }

    private async Task OnClientConnectedAsync(ClientConnectedEventArgs e)
    {
        var session = _sessions.Get(e.ClientId);
        session.OnConnected(ConnectionKey(e.RemoteEndPoint), await _server.GetSessionAsync(e.ClientId).ConfigureAwait(false));
        if (!_registry.SetConnectionState(e.ClientId, true))
        {
            await DisconnectAsync(e.ClientId, "it was deleted while connecting").ConfigureAwait(false);
            return;
        }
        await RestoreOrForgetSessionAsync(session).ConfigureAwait(false);
        if (MqttUserName.TryParse(e.UserName, out var name, out _) && name!.ModelId is { Length: > 0 } modelId)
            _twins.SetModelId(e.ClientId, modelId);
        _cloudToDevice.OnConnected(e.ClientId, ConnectionKey(e.RemoteEndPoint));
        if (_logger.IsEnabled(LogLevel.Information))
            _logger.LogInformation("Device '{DeviceId}' connected over MQTT from {Endpoint}.", e.ClientId, e.RemoteEndPoint);
    }

    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        // A takeover is followed by the new connection's ClientConnected: the device stays connected.
        if (e.DisconnectType == MqttClientDisconnectType.Takeover) return Task.CompletedTask;
        if (_sessions.Find(e.ClientId)?.OnDisconnected(ConnectionKey(e.RemoteEndPoint)) == true)
        {
            _registry.SetConnectionState(e.ClientId, false);
            _cloudToDevice.OnDisconnected(e.ClientId, ConnectionKey(e.RemoteEndPoint));
            if (_logger.IsEnabled(LogLevel.Information))
                _logger.LogInformation("Device '{DeviceId}' disconnected ({Type}).", e.ClientId, e.DisconnectType);
        }
        return Task.CompletedTask;
    }

    // Each connection has its own remote end point, so a late "disconnected" of a replaced connection is told apart.
    private static string ConnectionKey(System.Net.EndPoint? remote) => remote?.ToString() ?? "";

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic;
        if (DeviceTopics.ClassifyFilter(filter, e.ClientId) is null)
        {
            // SUBACK failure (0x80): IoT Hub offers only its own topics.
            e.Response.ReasonCode = MqttSubscribeReasonCode.UnspecifiedError;
            e.ProcessSubscription = false;
            _logger.LogWarning("Device '{DeviceId}' may not subscribe to '{Filter}'; IoT Hub offers $iothub/twin/res/#, $iothub/twin/PATCH/properties/desired/#, $iothub/methods/POST/# and devices/{{id}}/messages/devicebound/#.", e.ClientId, filter);
            return Task.CompletedTask;
        }
        // IoT Hub grants QoS 1 to a QoS 2 request.
        e.Response.ReasonCode = e.TopicFilter.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce
            ? MqttSubscribeReasonCode.GrantedQoS0
            : MqttSubscribeReasonCode.GrantedQoS1;
        return Task.CompletedTask;
    }

    private Task OnSubscribedAsync(ClientSubscribedTopicEventArgs e)
    {
        if (DeviceTopics.ClassifyFilter(e.TopicFilter.Topic, e.ClientId) is not { } kind) return Task.CompletedTask;
        var session = _sessions.Get(e.ClientId);
        var granted = e.TopicFilter.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        session.OnSubscribed(kind, granted);
        Persist(session);
        if (kind == DeviceSubscription.CloudToDevice) _cloudToDevice.Deliver(e.ClientId);
        return Task.CompletedTask;
    }

    private Task OnUnsubscribedAsync(ClientUnsubscribedTopicEventArgs e)
    {
        if (DeviceTopics.ClassifyFilter(e.TopicFilter, e.ClientId) is not { } kind || _sessions.Find(e.ClientId) is not { } session)
            return Task.CompletedTask;
        session.OnUnsubscribed(kind);
        Persist(session);
        return Task.CompletedTask;
    }

    // A clean session is never kept; a persistent one is stored so it outlives a restart of the emulator.
    private void Persist(DeviceSession session)
    {
        try
        {
            var subscriptions = session.IsCleanSession ? new Dictionary<DeviceSubscription, MqttQualityOfServiceLevel>() : session.Subscriptions;
            _persistence.Save(session.DeviceId, _registry.Find(session.DeviceId)?.GenerationId, subscriptions);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Storing the MQTT session of device '{DeviceId}' failed.", session.DeviceId);
        }
    }

    // After an emulator restart MQTTnet has no session; a device asking for its persistent session gets its stored
    // subscriptions back before it sends anything (the receive loop starts after this event).
    private async Task RestoreOrForgetSessionAsync(DeviceSession session)
    {
        if (session.IsCleanSession)
        {
            Persist(session);
            return;
        }
        if (session.Subscriptions.Count > 0 || _registry.Find(session.DeviceId) is not { } identity) return;
        if (_persistence.Find(session.DeviceId, identity.GenerationId) is not { } stored) return;
        var filters = stored.Select(s => new MqttTopicFilterBuilder()
            .WithTopic(DeviceTopics.Filter(s.Key, session.DeviceId)).WithQualityOfServiceLevel(s.Value).Build()).ToList();
        try { await _server.SubscribeAsync(session.DeviceId, filters).ConfigureAwait(false); }
        catch (InvalidOperationException ex) { _logger.LogWarning(ex, "Restoring the MQTT session of device '{DeviceId}' failed.", session.DeviceId); }
    }

    private Task OnSessionDeletedAsync(SessionDeletedEventArgs e)
    {
        _sessions.Find(e.Id)?.EndSession();
        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        // The hub consumes every device publish; MQTTnet must never route one to another client.
        e.ProcessPublish = false;
        var message = e.ApplicationMessage;
        if (message.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            Close(e, "it published at QoS 2, which IoT Hub does not support");
            return;
        }
        var session = _sessions.Get(e.ClientId);
        var publish = DeviceTopics.ClassifyPublish(message.Topic, e.ClientId);
        switch (publish.Kind)
        {
            case DevicePublishKind.TwinGet or DevicePublishKind.TwinReportedPatch or DevicePublishKind.TwinUnknown when publish.RequestId is not null:
                _twinRequests.Handle(session, publish, message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray());
                break;
            case DevicePublishKind.MethodResponse:
                _methods.OnResponse(e.ClientId, publish.RequestId!, publish.Status, message.Payload.ToArray());
                break;
            case DevicePublishKind.Telemetry:
                // PUBACK goes out when this returns, so only after the message is durable; a message that cannot be
                // stored closes the connection instead (MQTT 3.1.1 has no negative acknowledgement).
                try { await _telemetry.AcceptAsync(e.ClientId, publish.PropertyBag, message.Payload.ToArray(), message.Retain).ConfigureAwait(false); }
                catch (Core.HubException ex)
                {
                    Close(e, ex.Message);
                    return;
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Telemetry from device '{DeviceId}' could not be stored.", e.ClientId);
                    Close(e, "its message could not be stored");
                    return;
                }
                break;
            default:
                Close(e, $"it published to '{message.Topic}', which is not one of its IoT Hub topics");
                return;
        }
        _registry.RecordActivity(e.ClientId);
    }

    private void Close(InterceptingPublishEventArgs e, string why)
    {
        e.CloseConnection = true;
        _logger.LogWarning("Closing the MQTT connection of device '{DeviceId}': {Reason}.", e.ClientId, why);
    }

    // Runs under the hub's lock (TwinStore's contract): only queue the message into the device's session.
    private void OnDesiredPropertiesChanged(DesiredPropertiesChange change)
    {
        if (_sessions.Find(change.DeviceId) is not { } session || !session.IsListening(DeviceSubscription.DesiredPatches)) return;
        session.TrySend(DeviceSubscription.DesiredPatches, DeviceTopics.DesiredPatch(change.Version),
            Encoding.UTF8.GetBytes(Core.HubJson.Write(change.Patch)));
    }

    // Runs under the hub's lock: the disconnect itself happens elsewhere.
    private void OnDeviceAccessRevoked(string deviceId)
        => _ = Task.Run(async () =>
        {
            var deleted = _registry.Find(deviceId) is null;
            await DisconnectAsync(deviceId, deleted ? "it was deleted" : "it was disabled").ConfigureAwait(false);
            if (!deleted) return;
            _sessions.Remove(deviceId);
            _persistence.Save(deviceId, null, new Dictionary<DeviceSubscription, MqttQualityOfServiceLevel>());
            try
            {
                if (await _server.GetSessionAsync(deviceId).ConfigureAwait(false) is { } mqttSession)
                    await mqttSession.DeleteAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException) { /* no such session */ }
        });

    private async Task DisconnectAsync(string deviceId, string why)
    {
        if (_sessions.Find(deviceId)?.IsConnected != true) return;
        try
        {
            await _server.DisconnectClientAsync(deviceId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized })
                .ConfigureAwait(false);
            _logger.LogWarning("Closed the MQTT connection of device '{DeviceId}': {Reason}.", deviceId, why);
        }
        catch (InvalidOperationException) { /* already gone */ }
    }

    // IoT Hub closes a connection when its SAS token expires; the SDKs renew theirs before that.
    private async Task CloseExpiredConnectionsAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                var now = _clock.GetUtcNow();
                foreach (var session in _sessions.Connected)
                {
                    if (session.TokenExpiresOn is { } expires && expires <= now)
                        await DisconnectAsync(session.DeviceId, "its SAS token expired").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) { }
    }
}
