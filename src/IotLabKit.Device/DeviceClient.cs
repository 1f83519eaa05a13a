using System.Buffers;
using IotLabKit.Device.Mqtt;
using IotLabKit.Protocol;
using MQTTnet;
using MQTTnet.Protocol;

namespace IotLabKit.Device;

/// <summary>
/// A device's connection to IoT Hub over MQTT, shaped like Microsoft's <c>Microsoft.Azure.Devices.Client.DeviceClient</c>
/// (v1) so that course code reads the same: telemetry, twin, direct methods and cloud-to-device messages. Works
/// against a real hub and against the IotLabKit emulator (<c>UseDevelopmentEmulator=true</c> in the connection string).
/// Every operation opens the connection if it is not open. After an unexpected drop the client reconnects by itself;
/// see <see cref="SetConnectionStatusChangesHandler"/>.
/// </summary>
public sealed class DeviceClient : IDisposable, IAsyncDisposable
{
    /// <summary>How long <see cref="ReceiveAsync()"/> waits (Microsoft's <c>OperationTimeoutInMilliseconds</c> default).</summary>
    public static readonly TimeSpan DefaultReceiveTimeout = TimeSpan.FromMinutes(4);

    private readonly HubCredentials _credentials;
    private readonly MqttHubConnection _connection;
    private readonly TwinChannel _twin;
    private readonly MethodDispatcher _methods = new();
    private readonly CloudToDeviceReceiver _cloudToDevice;
    private readonly DeviceClientOptions _options;
    private readonly SemaphoreSlim _methodSubscription = new(1, 1);
    private int _disposed;

    private DeviceClient(IotHubConnectionString connectionString, TransportType transport, DeviceClientOptions options)
    {
        _options = options;
        _credentials = new HubCredentials(connectionString, options.ProductInfo);
        _connection = new MqttHubConnection(_credentials, transport, options);
        _twin = new TwinChannel(_connection, options);
        _cloudToDevice = new CloudToDeviceReceiver(_connection, _credentials.DeviceId, options);
        _connection.MessageReceived = OnMessageReceivedAsync;
        _connection.ConnectionLost = _twin.FailPending;
        _connection.Connected = _twin.CatchUpAfterReconnectAsync;
    }

    /// <summary>
    /// Creates a client from a device connection string (<c>HostName=…;DeviceId=…;SharedAccessKey=…</c>, optionally
    /// <c>GatewayHostName=…</c> and <c>UseDevelopmentEmulator=true</c>). Nothing is sent until the first operation.
    /// </summary>
    /// <param name="connectionString">The device connection string.</param>
    /// <param name="transport"><see cref="TransportType.Mqtt"/> (default), <see cref="TransportType.Mqtt_Tcp_Only"/> or <see cref="TransportType.Mqtt_WebSocket_Only"/>.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="FormatException">The connection string is malformed.</exception>
    /// <exception cref="ArgumentException">It is not a device connection string.</exception>
    /// <exception cref="NotSupportedException">An AMQP or HTTP transport was asked for.</exception>
    public static DeviceClient CreateFromConnectionString(string connectionString, TransportType transport = TransportType.Mqtt, DeviceClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        if (transport is not (TransportType.Mqtt or TransportType.Mqtt_Tcp_Only or TransportType.Mqtt_WebSocket_Only))
            throw new NotSupportedException($"IotLabKit's device client speaks MQTT only; {transport} is not supported. Use TransportType.Mqtt.");
        options ??= new DeviceClientOptions();
        options.Validate();
        return new DeviceClient(IotHubConnectionString.Parse(connectionString), transport, options);
    }

    /// <summary>The device id from the connection string.</summary>
    public string DeviceId => _credentials.DeviceId;

    /// <summary>The connection's current status.</summary>
    public ConnectionStatus ConnectionStatus => _connection.Status;

    /// <summary>
    /// Sets the handler told about every status change (Connected, Disconnected_Retrying, Disconnected, Disabled) and why.
    /// It runs off the network loop, one call at a time.
    /// </summary>
    public void SetConnectionStatusChangesHandler(ConnectionStatusChangesHandler? statusChangesHandler)
        => _connection.SetStatusHandler(statusChangesHandler);

    /// <summary>Opens the connection. Fails at once (no retry) when the hub refuses the credentials or cannot be reached.</summary>
    /// <exception cref="UnauthorizedException">The hub refused the device credentials.</exception>
    /// <exception cref="IotHubCommunicationException">The hub could not be reached.</exception>
    public Task OpenAsync(CancellationToken cancellationToken = default) => _connection.OpenAsync(cancellationToken);

    /// <summary>Disconnects. Handlers stay registered and are active again after the next open.</summary>
    public Task CloseAsync(CancellationToken cancellationToken = default) => _connection.CloseAsync(cancellationToken);

    /// <summary>Sends a telemetry message (QoS 1: returns when the hub has acknowledged it).</summary>
    /// <exception cref="MessageTooLargeException">Body and properties exceed 256 KB.</exception>
    public Task SendEventAsync(Message message, CancellationToken cancellationToken = default)
    {
        var topic = Telemetry.TopicFor(_credentials.DeviceId, message);
        return _connection.ExecuteAsync(ct => _connection.PublishAsync(topic, message.Body, MqttQualityOfServiceLevel.AtLeastOnce, ct), cancellationToken);
    }

    /// <summary>Sends telemetry messages one after the other, in order; all sizes are checked before the first is sent.</summary>
    public async Task SendEventBatchAsync(IEnumerable<Message> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var prepared = messages.Select(m => (Topic: Telemetry.TopicFor(_credentials.DeviceId, m), Message: m)).ToList();
        foreach (var (topic, message) in prepared)
            await _connection.ExecuteAsync(ct => _connection.PublishAsync(topic, message.Body, MqttQualityOfServiceLevel.AtLeastOnce, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the device's twin (desired and reported properties).</summary>
    /// <exception cref="IotHubTimeoutException">No answer within <see cref="DeviceClientOptions.TwinRequestTimeout"/>.</exception>
    public async Task<Twin> GetTwinAsync(CancellationToken cancellationToken = default)
    {
        var twin = await _twin.GetTwinAsync(cancellationToken).ConfigureAwait(false);
        twin.DeviceId = _credentials.DeviceId;
        return twin;
    }

    /// <summary>Patches the reported properties (a null value deletes a property).</summary>
    public Task UpdateReportedPropertiesAsync(TwinCollection reportedProperties, CancellationToken cancellationToken = default)
        => _twin.UpdateReportedPropertiesAsync(reportedProperties, cancellationToken);

    /// <summary>
    /// Sets the callback for desired-property changes (null removes it). Each change is delivered once, in order; after
    /// a reconnect, if the desired properties changed while the device was away, the callback gets the full desired
    /// section once (IoT Hub does not queue patches for offline devices).
    /// </summary>
    public Task SetDesiredPropertyUpdateCallbackAsync(DesiredPropertyUpdateCallback? callback, object? userContext, CancellationToken cancellationToken = default)
        => _twin.SetDesiredCallbackAsync(callback, userContext, cancellationToken);

    /// <summary>Sets (or with a null handler removes) the handler for the direct method <paramref name="methodName"/>.</summary>
    public async Task SetMethodHandlerAsync(string methodName, MethodCallback? methodHandler, object? userContext, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        if (methodName.Contains('/')) throw new ArgumentException("A direct method name cannot contain '/'.", nameof(methodName));
        _methods.Set(methodName, methodHandler, userContext);
        await SyncMethodSubscriptionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets (or with null removes) the handler for direct methods that have no handler of their own.</summary>
    public async Task SetMethodDefaultHandlerAsync(MethodCallback? methodHandler, object? userContext, CancellationToken cancellationToken = default)
    {
        _methods.SetDefault(methodHandler, userContext);
        await SyncMethodSubscriptionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the next cloud-to-device message (acknowledged to the hub as it is returned).</summary>
    public Task<Message> ReceiveAsync(CancellationToken cancellationToken) => _cloudToDevice.ReceiveAsync(cancellationToken);

    /// <summary>
    /// Waits up to 4 minutes (Microsoft's default operation timeout) for the next cloud-to-device message; null when
    /// none came. Over MQTT there is no lock to settle: the message is completed as it is returned.
    /// </summary>
    public Task<Message?> ReceiveAsync() => ReceiveAsync(DefaultReceiveTimeout);

    /// <summary>Waits up to <paramref name="timeout"/> for the next cloud-to-device message; null when none came.</summary>
    public async Task<Message?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout, _options.TimeProvider);
        try { return await _cloudToDevice.ReceiveAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (cts.IsCancellationRequested) { return null; }
    }

    /// <summary>Sets (or with null removes) the handler that receives every cloud-to-device message.</summary>
    public Task SetReceiveMessageHandlerAsync(ReceiveMessageCallback? messageHandler, object? userContext, CancellationToken cancellationToken = default)
        => _cloudToDevice.SetHandlerAsync(messageHandler, userContext, cancellationToken);

    /// <summary>Completes a cloud-to-device message. Over MQTT the hub completes it on PUBACK, already sent: nothing to do.</summary>
    public Task CompleteAsync(Message message, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Completes a cloud-to-device message by lock token; nothing to do over MQTT.</summary>
    public Task CompleteAsync(string lockToken, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Not possible over MQTT (IoT Hub cannot reject a message an MQTT device received).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Task RejectAsync(Message message, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("MQTT devices cannot reject cloud-to-device messages; IoT Hub completes them on delivery.");

    /// <summary>Not possible over MQTT (IoT Hub cannot abandon a message an MQTT device received).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Task AbandonAsync(Message message, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("MQTT devices cannot abandon cloud-to-device messages; IoT Hub completes them on delivery.");

    /// <summary>Not possible over MQTT (IoT Hub cannot reject a message an MQTT device received).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Task RejectAsync(string lockToken, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("MQTT devices cannot reject cloud-to-device messages; IoT Hub completes them on delivery.");

    /// <summary>Not possible over MQTT (IoT Hub cannot abandon a message an MQTT device received).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Task AbandonAsync(string lockToken, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("MQTT devices cannot abandon cloud-to-device messages; IoT Hub completes them on delivery.");

    /// <summary>Closes the connection and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _connection.DisposeAsync().ConfigureAwait(false);
        _methodSubscription.Dispose();
    }

    /// <summary>Closes the connection and releases it (blocks; prefer <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task SyncMethodSubscriptionAsync(CancellationToken cancellationToken)
    {
        await _methodSubscription.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_methods.HasHandlers)
                await _connection.SubscribeAsync(HubTopics.MethodRequestFilter, MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false);
            else
                await _connection.UnsubscribeAsync(HubTopics.MethodRequestFilter, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _methodSubscription.Release();
        }
    }

    /// <summary>Routes a publish from the hub. Runs on MQTTnet's receive loop, so it only hands work off.</summary>
    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var payload = e.ApplicationMessage.Payload.ToArray(); // the receive buffer is reused after we return
        switch (HubTopics.Classify(topic, _credentials.DeviceId))
        {
            case HubTopicKind.TwinResponse:
                _twin.OnResponse(topic, payload);
                break;
            case HubTopicKind.DesiredPatch:
                _twin.OnDesiredPatch(topic, payload);
                break;
            case HubTopicKind.MethodRequest:
                if (HubTopics.TryParseMethodRequest(topic, out var name, out var rid))
                    _ = Task.Run(() => AnswerMethodAsync(name, rid, payload));
                break;
            case HubTopicKind.CloudToDevice:
                _cloudToDevice.OnMessage(e, payload);
                break;
        }
        return Task.CompletedTask;
    }

    private async Task AnswerMethodAsync(string name, string rid, byte[] payload)
    {
        var response = await _methods.InvokeAsync(name, payload, _options.CallbackException).ConfigureAwait(false);
        try
        {
            await _connection.ExecuteAsync(
                ct => _connection.PublishAsync(HubTopics.MethodResponse(response.Status, rid), response.Result, MqttQualityOfServiceLevel.AtLeastOnce, ct),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            CallbackQueue.Report(_options.CallbackException, ex);
        }
        finally
        {
            response.MarkSent();
        }
    }
}
