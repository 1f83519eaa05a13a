using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// Direct methods and service statistics of an IoT hub, over its REST API — shaped like Microsoft's
/// <c>Microsoft.Azure.Devices.ServiceClient</c>, and working unchanged against a real hub or the IotLabKit emulator.
/// One instance keeps one pool of keep-alive connections; create it once and reuse it.
/// </summary>
/// <remarks>
/// Cloud-to-device messages (<see cref="SendAsync(string, Message, TimeSpan?, CancellationToken)"/>,
/// <see cref="GetFeedbackReceiver"/>) travel over AMQP, as IoT Hub takes them only there: one AMQPS connection
/// (port 5671, or <see cref="ServiceClientOptions.AmqpsPort"/>), opened on first use.
/// </remarks>
public sealed class ServiceClient : IDisposable, IAsyncDisposable
{
    /// <summary>What a direct method call needs beyond the hub's own wait: connecting, sending, the answer's way back.</summary>
    internal static readonly TimeSpan MethodWireAllowance = TimeSpan.FromSeconds(15);

    private readonly IotHubHttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly AmqpServiceConnection _amqp;
    private readonly SemaphoreSlim _senderGate = new(1, 1);
    private Amqp.SenderLink? _sender;
    private FeedbackReceiver? _feedback;
    private int _disposed;

    private ServiceClient(IotHubHttpClient http, AmqpServiceConnection amqp, TimeSpan timeout)
    {
        _http = http;
        _amqp = amqp;
        _timeout = timeout;
    }

    /// <summary>The hub's host name (port included when the connection string gives one).</summary>
    public string HostName => _http.HostName;

    /// <summary>
    /// Creates a service client from a service connection string
    /// (<c>HostName=…;SharedAccessKeyName=…;SharedAccessKey=…</c>, or <c>…;SharedAccessSignature=…</c>); the policy
    /// needs ServiceConnect. With <c>UseDevelopmentEmulator=true</c> it trusts only the emulator's CA.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed or is not a service connection string.</exception>
    /// <exception cref="FileNotFoundException">UseDevelopmentEmulator=true and no emulator CA certificate was found.</exception>
    public static ServiceClient CreateFromConnectionString(string connectionString, ServiceClientOptions? options = null)
    {
        options ??= new ServiceClientOptions();
        var http = IotHubHttpClient.FromConnectionString(connectionString, options);
        return new ServiceClient(http, new AmqpServiceConnection(IotHubHttpClient.ParseServiceConnectionString(connectionString), options), options.Timeout);
    }

    /// <summary>
    /// Does nothing: the AMQP connection for cloud-to-device messages opens on the first send or feedback read, and
    /// direct methods need none (so a script that opens the client and only calls methods never dials AMQP).
    /// Kept so code written for Microsoft's client runs.
    /// </summary>
    public Task OpenAsync() => Task.CompletedTask;

    /// <summary>Closes the AMQP connection if one is open (the next send opens it again).</summary>
    public async Task CloseAsync()
    {
        await _senderGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _sender = null;
            if (Interlocked.Exchange(ref _feedback, null) is { } feedback) await feedback.DisposeAsync().ConfigureAwait(false);
            await _amqp.DisposeAsync().ConfigureAwait(false);
        }
        finally { _senderGate.Release(); }
    }

    /// <summary>
    /// Sends a cloud-to-device message: the hub queues it for the device (at most 50 per device) and answers once it
    /// is stored. Sets <see cref="Message.To"/>. Feedback, if <see cref="Message.Ack"/> asks for it, arrives through
    /// <see cref="GetFeedbackReceiver"/>.
    /// </summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="message">The message.</param>
    /// <param name="timeout">How long to wait for the hub; default <see cref="ServiceClientOptions.Timeout"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the hub may still queue the message).</param>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    /// <exception cref="DeviceMaximumQueueDepthExceededException">The device already has 50 messages queued (403004).</exception>
    /// <exception cref="MessageTooLargeException">The message is over 64 KB.</exception>
    /// <exception cref="UnauthorizedException">The credentials are wrong, or the policy lacks ServiceConnect.</exception>
    public async Task SendAsync(string deviceId, Message message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        RegistryManager.ValidateId(deviceId, nameof(deviceId));
        ArgumentNullException.ThrowIfNull(message);
        message.To = "/devices/" + Uri.EscapeDataString(deviceId) + "/messages/deviceBound";
        var amqpMessage = CloudToDeviceWire.ToAmqp(message);
        var wait = timeout ?? _timeout;
        for (var attempt = 0; ; attempt++)
        {
            var sender = await GetSenderAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await sender.SendAsync(amqpMessage).WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Amqp.AmqpException ex) when (ex.Error?.Condition.ToString() is "amqp:link:detach-forced" or "amqp:connection:forced" && attempt == 0)
            {
                ResetSender(sender); // the hub dropped the link (token renewal, restart): one more try on a new one
            }
            catch (Amqp.AmqpException ex)
            {
                throw AmqpServiceConnection.Translate(ex.Error, $"The hub refused the message for device '{deviceId}'");
            }
            catch (TimeoutException)
            {
                throw new IotHubTimeoutException($"The hub did not confirm the message for device '{deviceId}' within {wait.TotalSeconds:0.#} s.");
            }
        }
    }

    /// <summary>The receiver of cloud-to-device feedback (one per client; it shares the client's AMQP connection).</summary>
    public FeedbackReceiver GetFeedbackReceiver()
    {
        var created = new FeedbackReceiver(_amqp);
        return Interlocked.CompareExchange(ref _feedback, created, null) ?? created;
    }

    /// <summary>Drops every message queued for the device (<c>DELETE /devices/{id}/commands</c>); feedback Purged for messages that asked for it.</summary>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    public Task<PurgeMessageQueueResult> PurgeMessageQueueAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        RegistryManager.ValidateId(deviceId, nameof(deviceId));
        return _http.SendAsync<PurgeMessageQueueResult>(HttpMethod.Delete, "devices/" + Uri.EscapeDataString(deviceId) + "/commands", null, null, null, cancellationToken);
    }

    private async Task<Amqp.SenderLink> GetSenderAsync(CancellationToken cancellationToken)
    {
        await _senderGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sender is { IsClosed: false } open) return open;
            var session = await _amqp.GetSessionAsync(cancellationToken).ConfigureAwait(false);
            var attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sender = new Amqp.SenderLink(session, "c2d-" + Guid.NewGuid().ToString("N"),
                new Amqp.Framing.Attach { Target = new Amqp.Framing.Target { Address = CloudToDeviceWire.SendAddress }, Source = new Amqp.Framing.Source() },
                (_, _) => attached.TrySetResult());
            sender.Closed += (_, _) => attached.TrySetResult();
            await attached.Task.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            if (sender.IsClosed) throw AmqpServiceConnection.Translate(sender.Error, $"The hub refused the cloud-to-device link ({CloudToDeviceWire.SendAddress})");
            _sender = sender;
            return sender;
        }
        finally { _senderGate.Release(); }
    }

    private void ResetSender(Amqp.SenderLink sender)
        => Interlocked.CompareExchange(ref _sender, null, sender);

    /// <summary>
    /// Invokes a direct method on a device and waits for its answer. The device's own status (even 404 or 500)
    /// comes back in the result; exceptions mean the hub could not get an answer.
    /// </summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cloudToDeviceMethod">The method, its payload and timeouts.</param>
    /// <param name="cancellationToken">Cancels the call (the device may still run the method).</param>
    /// <exception cref="ArgumentException">The device id is not valid.</exception>
    /// <exception cref="DeviceNotOnlineException">The device is not connected, or has not subscribed to direct methods.</exception>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    /// <exception cref="IotHubTimeoutException">The device did not answer within the response timeout.</exception>
    public Task<CloudToDeviceMethodResult> InvokeDeviceMethodAsync(string deviceId, CloudToDeviceMethod cloudToDeviceMethod, CancellationToken cancellationToken = default)
    {
        RegistryManager.ValidateId(deviceId, nameof(deviceId));
        return InvokeAsync(RegistryManager.TwinPath(deviceId) + "/methods", $"device '{deviceId}'", cloudToDeviceMethod, cancellationToken);
    }

    /// <summary>Invokes a direct method on a module and waits for its answer.</summary>
    /// <param name="deviceId">The module's device.</param>
    /// <param name="moduleId">The module.</param>
    /// <param name="cloudToDeviceMethod">The method, its payload and timeouts.</param>
    /// <param name="cancellationToken">Cancels the call (the module may still run the method).</param>
    /// <exception cref="ArgumentException">The device or module id is not valid.</exception>
    /// <exception cref="DeviceNotOnlineException">The module is not connected, or has not subscribed to direct methods.</exception>
    /// <exception cref="ModuleNotFoundException">There is no such module.</exception>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    /// <exception cref="IotHubTimeoutException">The module did not answer within the response timeout.</exception>
    public Task<CloudToDeviceMethodResult> InvokeDeviceMethodAsync(string deviceId, string moduleId, CloudToDeviceMethod cloudToDeviceMethod, CancellationToken cancellationToken = default)
    {
        RegistryManager.ValidateId(deviceId, nameof(deviceId));
        RegistryManager.ValidateId(moduleId, nameof(moduleId), "module id");
        var path = RegistryManager.TwinPath(deviceId) + "/modules/" + Uri.EscapeDataString(moduleId) + "/methods";
        return InvokeAsync(path, $"module '{deviceId}/{moduleId}'", cloudToDeviceMethod, cancellationToken);
    }

    /// <summary>Service figures: connected devices.</summary>
    public Task<ServiceStatistics> GetServiceStatisticsAsync(CancellationToken cancellationToken = default)
        => _http.SendAsync<ServiceStatistics>(HttpMethod.Get, "statistics/service", null, null, null, cancellationToken);

    /// <summary>
    /// How long one try of a method call may take: the hub waits up to connect + response timeout before it
    /// answers, plus an allowance for the wire — never less than <see cref="ServiceClientOptions.Timeout"/>.
    /// </summary>
    internal static TimeSpan MethodCallTimeout(CloudToDeviceMethod method, TimeSpan configured)
    {
        var needed = MethodWireAllowance
            + TimeSpan.FromSeconds(method.ConnectionTimeoutInSeconds ?? 0)
            + TimeSpan.FromSeconds(method.EffectiveResponseTimeoutInSeconds);
        return configured == Timeout.InfiniteTimeSpan || configured > needed ? configured : needed;
    }

    private async Task<CloudToDeviceMethodResult> InvokeAsync(string path, string target, CloudToDeviceMethod method, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        var request = new IotHubRequest(HttpMethod.Post, path) { JsonBody = method.ToJson(), Timeout = MethodCallTimeout(method, _timeout) };
        try
        {
            return await _http.SendAsync<CloudToDeviceMethodResult>(request, cancellationToken).ConfigureAwait(false);
        }
        catch (IotHubTimeoutException ex) when (ex.StatusCode == 504 && ex.Details is { } details)
        {
            // The hub's text ("Timed out waiting for the response from device.") names neither the device nor the wait.
            throw new IotHubTimeoutException(details,
                $"The {target} did not answer the direct method '{method.MethodName}' within {method.EffectiveResponseTimeoutInSeconds} s (IoT Hub: {ex.Message})");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _http.Dispose();
        _amqp.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _http.Dispose();
        if (Interlocked.Exchange(ref _feedback, null) is { } feedback) await feedback.DisposeAsync().ConfigureAwait(false);
        await _amqp.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"ServiceClient({HostName})";
}
