using System.Security.Cryptography.X509Certificates;
using IotLabKit.Device.Mqtt;
using IotLabKit.Protocol;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IotLabKit.Device;

/// <summary>
/// One device's MQTT connection to IoT Hub: connects with a fresh SAS token, keeps the list of subscriptions,
/// renews the token by reconnecting before it expires, and after an unexpected drop reconnects with bounded
/// exponential backoff. With a persistent session (CleanSession=0) the hub keeps the subscriptions; when CONNACK
/// says the session is gone they are sent again.
/// </summary>
internal sealed class MqttHubConnection : IAsyncDisposable
{
    private readonly HubCredentials _credentials;
    private readonly TransportType _transport;
    private readonly DeviceClientOptions _options;
    private readonly IMqttClient _client;
    private readonly CallbackQueue _statusCallbacks;
    private readonly SemaphoreSlim _connectLock = new(1, 1); // one CONNECT (or DISCONNECT) at a time
    private readonly Lock _gate = new();                      // guards the fields below
    private readonly Dictionary<string, MqttQualityOfServiceLevel> _subscriptions = new(StringComparer.Ordinal);
    private ConnectionStatus _status = ConnectionStatus.Disabled;
    private ConnectionStatusChangesHandler? _statusHandler;
    private bool _wantOpen;
    private bool _expectDisconnect;
    private bool _disposed;
    private Task<bool>? _reconnect;
    private CancellationTokenSource? _reconnectCancel;
    private ITimer? _renewTimer;
    private Exception? _lastFailure;
    private X509Certificate2Collection? _emulatorRoots;
    private long _epoch;

    public MqttHubConnection(HubCredentials credentials, TransportType transport, DeviceClientOptions options)
    {
        _credentials = credentials;
        _transport = transport;
        _options = options;
        _statusCallbacks = new CallbackQueue(options.CallbackException);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
        _client.ApplicationMessageReceivedAsync += e => MessageReceived?.Invoke(e) ?? Task.CompletedTask;
        var (host, port) = credentials.Target(transport);
        Target = transport == TransportType.Mqtt_WebSocket_Only ? credentials.WebSocketUri() : $"{host}:{port}";
    }

    /// <summary>Where the socket goes, for messages.</summary>
    public string Target { get; }

    /// <summary>Every publish from the hub. Must return quickly: it runs on MQTTnet's receive loop.</summary>
    public Func<MqttApplicationMessageReceivedEventArgs, Task>? MessageReceived { get; set; }

    /// <summary>The connection went down (expectedly or not): requests waiting for an answer on it will not get one.</summary>
    public Action<Exception>? ConnectionLost { get; set; }

    /// <summary>
    /// A connection came up (open, reconnect or token renewal); runs in the background after it, with the
    /// connection's <see cref="Epoch"/>.
    /// </summary>
    public Func<long, Task>? Connected { get; set; }

    /// <summary>Counts successful connects; tells apart what was set up on this connection from what came before it.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>The current status.</summary>
    public ConnectionStatus Status
    {
        get { lock (_gate) return _status; }
    }

    /// <summary>Sets the status-change handler (null removes it).</summary>
    public void SetStatusHandler(ConnectionStatusChangesHandler? handler)
    {
        lock (_gate) _statusHandler = handler;
    }

    /// <summary>Connects once (no retry): a refused or unreachable hub is reported to the caller at once.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        Task<bool>? reconnecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            reconnecting = _reconnect;
        }
        if (reconnecting is not null)
        {
            if (await reconnecting.WaitAsync(cancellationToken).ConfigureAwait(false)) return;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client.IsConnected && !_expectDisconnect) return;
            lock (_gate) _wantOpen = true;
            try
            {
                await ConnectCoreAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                lock (_gate) { _wantOpen = false; _lastFailure = ex; }
                if (ex is IotHubException hub) SetStatus(ConnectionStatus.Disconnected, ReasonFor(hub));
                throw;
            }
            SetStatus(ConnectionStatus.Connected, ConnectionStatusChangeReason.Connection_Ok);
        }
        finally
        {
            _connectLock.Release();
        }
        RaiseConnected();
    }

    /// <summary>Disconnects and stops reconnecting; subscriptions are remembered for the next open.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        Task<bool>? reconnecting;
        lock (_gate)
        {
            if (_disposed) return;
            _wantOpen = false;
            reconnecting = _reconnect;
            _reconnectCancel?.Cancel();
            _renewTimer?.Dispose();
            _renewTimer = null;
        }
        if (reconnecting is not null)
        {
            try { await reconnecting.ConfigureAwait(false); }
            catch (Exception) { /* the loop reports its own outcome; closing only needs it stopped */ }
        }
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client.IsConnected)
            {
                _expectDisconnect = true;
                try { await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false); }
                catch (Exception) { /* already gone: closing is done either way */ }
                finally { _expectDisconnect = false; }
            }
        }
        finally
        {
            _connectLock.Release();
        }
        ConnectionLost?.Invoke(new IotHubException("The client was closed before the hub answered.", null, null, isTransient: false));
        SetStatus(ConnectionStatus.Disabled, ConnectionStatusChangeReason.Client_Close);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on an open connection, opening it first if needed. When the connection
    /// drops under the operation, waits for the reconnect and runs it again, for at most
    /// <see cref="DeviceClientOptions.ReconnectTimeout"/>.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var started = _options.TimeProvider.GetTimestamp();
        while (true)
        {
            await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (IotHubCommunicationException) when (!cancellationToken.IsCancellationRequested && ShouldRetry(started))
            {
                // The connection dropped under the operation; EnsureConnectedAsync waits for the reconnect.
            }
        }
    }

    /// <inheritdoc cref="ExecuteAsync{T}(Func{CancellationToken, Task{T}}, CancellationToken)"/>
    public Task ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
        => ExecuteAsync(async ct => { await operation(ct).ConfigureAwait(false); return true; }, cancellationToken);

    /// <summary>Publishes and, for QoS 1, waits for PUBACK.</summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel(qos)
            .Build();
        MqttClientPublishResult result;
        try
        {
            result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (Exception ex) when (ex is not IotHubException)
        {
            throw DeviceErrors.FromTransport(ex, Target);
        }
        if (!result.IsSuccess)
            throw new IotHubException($"The hub did not accept the message on '{topic}' ({result.ReasonCode}).", null, null, isTransient: false);
    }

    /// <summary>Subscribes once; the subscription is remembered and sent again when a new session needs it.</summary>
    public Task SubscribeAsync(string filter, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken)
        => ExecuteAsync(async ct =>
        {
            // Remembered before it is sent, so a reconnect in between sends it too (a duplicate SUBSCRIBE is harmless).
            lock (_gate)
            {
                if (!_subscriptions.TryAdd(filter, qos)) return;
            }
            try
            {
                await SubscribeOnWireAsync(filter, qos, ct).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate) _subscriptions.Remove(filter);
                throw;
            }
        }, cancellationToken);

    /// <summary>Forgets a subscription and, when connected, unsubscribes.</summary>
    public async Task UnsubscribeAsync(string filter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_subscriptions.Remove(filter)) return;
        }
        if (!_client.IsConnected) return;
        try
        {
            await _client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(filter).Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (Exception ex) when (ex is not IotHubException)
        {
            throw DeviceErrors.FromTransport(ex, Target);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await CloseAsync(CancellationToken.None).ConfigureAwait(false); }
        catch (Exception) { /* disposing must not throw */ }
        lock (_gate) _disposed = true;
        _statusCallbacks.Complete();
        _client.Dispose();
        _connectLock.Dispose();
    }

    private bool ShouldRetry(long startedTimestamp)
        => _options.TimeProvider.GetElapsedTime(startedTimestamp) < _options.ReconnectTimeout && WantsOpen();

    private bool WantsOpen()
    {
        lock (_gate) return _wantOpen && !_disposed;
    }

    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<bool>? reconnecting;
            bool wantOpen;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_client.IsConnected && !_expectDisconnect) return;
                reconnecting = _reconnect;
                wantOpen = _wantOpen;
            }
            if (reconnecting is not null)
            {
                if (!await reconnecting.WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    Exception? failure;
                    lock (_gate) failure = _lastFailure;
                    throw failure as IotHubException
                          ?? new IotHubCommunicationException($"The connection to {Target} is down and reconnecting gave up.", failure);
                }
                continue;
            }
            if (!wantOpen)
            {
                await OpenAsync(cancellationToken).ConfigureAwait(false); // implicit open, as Microsoft's SDK does
                continue;
            }
            // Open but not connected, and no reconnect running: a renewal is in progress (wait for it), or the
            // drop's event has not been handled yet (start the reconnect here; starting it is idempotent).
            await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            _connectLock.Release();
            lock (_gate)
            {
                if (!_client.IsConnected && _wantOpen && !_disposed) StartReconnect(ConnectionStatusChangeReason.Communication_Error);
            }
        }
    }

    /// <summary>Connects and restores subscriptions; the caller holds <see cref="_connectLock"/>.</summary>
    private async Task ConnectCoreAsync(CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var (password, expiresOn) = _credentials.Password(now, _options.SasTokenTimeToLive);
        if (!_credentials.CanRenew && expiresOn is { } fixedExpiry && fixedExpiry <= now)
            throw new UnauthorizedException($"The SAS token in the connection string expired at {fixedExpiry:u}; the hub would refuse it. Use a connection string with the device key, or a new token.");

        var options = BuildOptions(password);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        MqttClientConnectResult result;
        try
        {
            result = await _client.ConnectAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (OperationCanceledException ex)
        {
            throw new IotHubCommunicationException($"The hub at {Target} did not accept the connection within {_options.ConnectTimeout.TotalSeconds:0.#} s.", ex);
        }
        catch (Exception ex) when (ex is not IotHubException)
        {
            throw DeviceErrors.FromTransport(ex, Target); // a refused CONNACK comes back as a result code, below
        }
        if (result.ResultCode != MqttClientConnectResultCode.Success)
            throw DeviceErrors.FromConnectResult(result.ResultCode, Target);

        if (!result.IsSessionPresent)
        {
            KeyValuePair<string, MqttQualityOfServiceLevel>[] toRestore;
            lock (_gate) toRestore = _subscriptions.ToArray();
            foreach (var (filter, qos) in toRestore)
                await SubscribeOnWireAsync(filter, qos, cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Increment(ref _epoch);
        ScheduleRenewal(now);
    }

    private MqttClientOptions BuildOptions(string password)
    {
        var (host, port) = _credentials.Target(_transport);
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(_credentials.DeviceId)
            .WithCredentials(_credentials.UserName, password)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithTimeout(_options.ConnectTimeout);
        builder = _transport == TransportType.Mqtt_WebSocket_Only
            ? builder.WithWebSocketServer(ws => ws.WithUri(_credentials.WebSocketUri()).WithSubProtocols(["mqtt"]))
            : builder.WithTcpServer(host, port);
        var roots = _credentials.UseDevelopmentEmulator ? EmulatorRoots() : null;
        builder = builder.WithTlsOptions(tls =>
        {
            tls.UseTls(true).WithTargetHost(host);
            if (roots is not null)
                tls.WithCertificateValidationHandler(args => EmulatorTrust.Validate(args.Certificate, args.SslPolicyErrors, roots));
        });
        return builder.Build();
    }

    private X509Certificate2Collection EmulatorRoots()
    {
        if (_emulatorRoots is not null) return _emulatorRoots;
        try
        {
            return _emulatorRoots = EmulatorTrust.LoadCa(EmulatorTrust.ResolveCaPath(_options.CaCertificatePath));
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or System.Security.Cryptography.CryptographicException)
        {
            throw new IotHubException(ex.Message, null, null, isTransient: false, ex);
        }
    }

    private async Task SubscribeOnWireAsync(string filter, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken)
    {
        MqttClientSubscribeResult result;
        try
        {
            result = await _client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(qos)).Build(),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (Exception ex) when (ex is not IotHubException)
        {
            throw DeviceErrors.FromTransport(ex, Target);
        }
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
                throw new IotHubException($"The hub refused the subscription to '{filter}' ({item.ResultCode}).", null, null, isTransient: false);
        }
    }

    private void ScheduleRenewal(DateTimeOffset connectedAt)
    {
        if (!_credentials.CanRenew) return;
        var due = _options.SasTokenTimeToLive * 0.75;
        lock (_gate)
        {
            _renewTimer?.Dispose();
            _renewTimer = _options.TimeProvider.CreateTimer(_ => _ = RenewAsync(), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>IoT Hub takes a new token only in a new CONNECT, so renewal is a disconnect and a connect.</summary>
    private async Task RenewAsync()
    {
        try
        {
            await _connectLock.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException) { return; }
        var renewed = false;
        try
        {
            lock (_gate)
            {
                if (!_wantOpen || _disposed || _reconnect is not null || !_client.IsConnected) return;
                _expectDisconnect = true;
            }
            try { await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build()).ConfigureAwait(false); }
            catch (Exception) { /* already down: the connect below is what matters */ }
            ConnectionLost?.Invoke(new IotHubCommunicationException($"The connection to {Target} was renewed before the hub answered."));
            try
            {
                await ConnectCoreAsync(CancellationToken.None).ConfigureAwait(false);
                renewed = true;
            }
            catch (Exception)
            {
                lock (_gate)
                {
                    if (_wantOpen && !_disposed) StartReconnect(ConnectionStatusChangeReason.Communication_Error);
                }
            }
            finally
            {
                lock (_gate) _expectDisconnect = false;
            }
        }
        finally
        {
            _connectLock.Release();
        }
        if (renewed) RaiseConnected();
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (!e.ClientWasConnected) return Task.CompletedTask;
        ConnectionLost?.Invoke(new IotHubCommunicationException($"The connection to {Target} was lost ({e.Reason}).", e.Exception));
        lock (_gate)
        {
            if (_disposed || !_wantOpen || _expectDisconnect || _client.IsConnected) return Task.CompletedTask;
            StartReconnect(ConnectionStatusChangeReason.Communication_Error);
        }
        return Task.CompletedTask;
    }

    /// <summary>Starts the reconnect loop unless one runs; the caller holds <see cref="_gate"/>.</summary>
    private void StartReconnect(ConnectionStatusChangeReason reason)
    {
        if (_reconnect is not null) return;
        _reconnectCancel?.Dispose();
        _reconnectCancel = new CancellationTokenSource();
        var token = _reconnectCancel.Token;
        SetStatusLocked(ConnectionStatus.Disconnected_Retrying, reason);
        _reconnect = Task.Run(() => ReconnectLoopAsync(token));
    }

    private async Task<bool> ReconnectLoopAsync(CancellationToken cancellationToken)
    {
        var started = _options.TimeProvider.GetTimestamp();
        Exception? lastFailure = null;
        for (var attempt = 1; ; attempt++)
        {
            var connected = false;
            try
            {
                await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (!_client.IsConnected) await ConnectCoreAsync(cancellationToken).ConfigureAwait(false);
                    connected = true;
                }
                finally
                {
                    _connectLock.Release();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Finish(false, lastFailure, null);
            }
            catch (IotHubException ex) when (ex.IsTransient)
            {
                lastFailure = ex;
            }
            catch (IotHubException ex)
            {
                return Finish(false, ex, ReasonFor(ex)); // refused credentials and the like: retrying cannot help
            }
            catch (ObjectDisposedException)
            {
                return Finish(false, lastFailure, null);
            }

            if (connected)
            {
                Finish(true, null, ConnectionStatusChangeReason.Connection_Ok);
                RaiseConnected();
                return true;
            }

            var delay = Backoff(attempt);
            if (_options.TimeProvider.GetElapsedTime(started) + delay > _options.ReconnectTimeout)
                return Finish(false, lastFailure, ConnectionStatusChangeReason.Retry_Expired);
            try
            {
                await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Finish(false, lastFailure, null);
            }
        }
    }

    /// <summary>Ends the reconnect loop; a null <paramref name="reason"/> means the application closed the client.</summary>
    private bool Finish(bool connected, Exception? failure, ConnectionStatusChangeReason? reason)
    {
        lock (_gate)
        {
            _reconnect = null;
            if (!connected)
            {
                _wantOpen = false;
                _lastFailure = failure ?? new IotHubCommunicationException($"The connection to {Target} was closed.");
            }
            if (reason is { } r)
                SetStatusLocked(connected ? ConnectionStatus.Connected : ConnectionStatus.Disconnected, r);
        }
        return connected;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.ReconnectMinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(exponential, _options.ReconnectMaxBackoff.TotalMilliseconds);
        var jitter = 0.8 + Random.Shared.NextDouble() * 0.4; // ±20 % so that many devices do not reconnect in step
        return TimeSpan.FromMilliseconds(capped * jitter);
    }

    private ConnectionStatusChangeReason ReasonFor(IotHubException ex) => ex switch
    {
        UnauthorizedException when FixedTokenExpired() => ConnectionStatusChangeReason.Expired_SAS_Token,
        UnauthorizedException => ConnectionStatusChangeReason.Bad_Credential,
        IotHubCommunicationException => ConnectionStatusChangeReason.No_Network,
        _ => ConnectionStatusChangeReason.Communication_Error,
    };

    private bool FixedTokenExpired()
    {
        if (_credentials.CanRenew) return false;
        var now = _options.TimeProvider.GetUtcNow();
        return _credentials.Password(now, _options.SasTokenTimeToLive).ExpiresOn is { } expiry && expiry <= now;
    }

    private void RaiseConnected()
    {
        var hook = Connected;
        if (hook is null) return;
        var epoch = Epoch;
        _ = Task.Run(async () =>
        {
            try { await hook(epoch).ConfigureAwait(false); }
            catch (Exception ex) { CallbackQueue.Report(_options.CallbackException, ex); }
        });
    }

    private void SetStatus(ConnectionStatus status, ConnectionStatusChangeReason reason)
    {
        lock (_gate) SetStatusLocked(status, reason);
    }

    private void SetStatusLocked(ConnectionStatus status, ConnectionStatusChangeReason reason)
    {
        _status = status;
        var handler = _statusHandler;
        if (handler is not null) _statusCallbacks.Enqueue(() => { handler(status, reason); return Task.CompletedTask; });
    }
}
