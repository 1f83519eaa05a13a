using System.Threading.Channels;
using IotLabKit.Device.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace IotLabKit.Device;

/// <summary>Called with each cloud-to-device message; the message is acknowledged to the hub when the callback returns.</summary>
public delegate Task ReceiveMessageCallback(Message message, object? userContext);

/// <summary>
/// Cloud-to-device messages over MQTT. The hub sends them at QoS 1 and PUBACK completes them; this client sends the
/// PUBACK only once the application has the message (ReceiveAsync returned it, or the handler returned), so a
/// message the application never saw is delivered again after a reconnect rather than lost.
/// </summary>
internal sealed class CloudToDeviceReceiver
{
    private readonly MqttHubConnection _connection;
    private readonly string _deviceId;
    private readonly DeviceClientOptions _options;
    private readonly Channel<Received> _inbox = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Lock _lock = new();
    private CancellationTokenSource? _pumpStop;

    public CloudToDeviceReceiver(MqttHubConnection connection, string deviceId, DeviceClientOptions options)
    {
        _connection = connection;
        _deviceId = deviceId;
        _options = options;
    }

    /// <summary>A message arrived (on the receive loop): keep it, unacknowledged, for the application.</summary>
    public void OnMessage(MqttApplicationMessageReceivedEventArgs e, byte[] payload)
    {
        e.AutoAcknowledge = false;
        var message = PropertyBag.ToMessage(payload, HubTopics.CloudToDevicePropertyBag(e.ApplicationMessage.Topic, _deviceId));
        _inbox.Writer.TryWrite(new Received(message, e));
    }

    /// <summary>Waits for the next message.</summary>
    public async Task<Message> ReceiveAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_pumpStop is not null)
                throw new InvalidOperationException("A receive-message handler is set; messages go to it. Remove it (set null) before calling ReceiveAsync.");
        }
        await EnsureSubscribedAsync(cancellationToken).ConfigureAwait(false);
        var received = await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        await AcknowledgeAsync(received).ConfigureAwait(false);
        return received.Message;
    }

    /// <summary>Sets (or with null removes) the handler that receives every message.</summary>
    public async Task SetHandlerAsync(ReceiveMessageCallback? handler, object? userContext, CancellationToken cancellationToken)
    {
        CancellationTokenSource? old;
        lock (_lock)
        {
            old = _pumpStop;
            _pumpStop = null;
        }
        old?.Cancel();
        if (handler is null) return;
        await EnsureSubscribedAsync(cancellationToken).ConfigureAwait(false);
        var stop = new CancellationTokenSource();
        lock (_lock) _pumpStop = stop;
        _ = Task.Run(() => PumpAsync(handler, userContext, stop.Token));
    }

    private Task EnsureSubscribedAsync(CancellationToken cancellationToken)
        => _connection.SubscribeAsync(HubTopics.CloudToDeviceFilter(_deviceId), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);

    private async Task PumpAsync(ReceiveMessageCallback handler, object? userContext, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var received = await _inbox.Reader.ReadAsync(stop).ConfigureAwait(false);
                try { await handler(received.Message, userContext).ConfigureAwait(false); }
                catch (Exception ex) { CallbackQueue.Report(_options.CallbackException, ex); }
                await AcknowledgeAsync(received).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the handler was replaced or removed
        }
    }

    private static async Task AcknowledgeAsync(Received received)
    {
        try { await received.Delivery.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false); }
        catch (Exception) { /* the connection it came on is gone: the hub delivers the message again */ }
    }

    private readonly record struct Received(Message Message, MqttApplicationMessageReceivedEventArgs Delivery);
}
