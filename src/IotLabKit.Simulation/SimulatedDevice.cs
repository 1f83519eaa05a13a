using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Device;
using IotLabKit.Simulation.Behaviors;
using IotLabKit.Simulation.Hosting;

namespace IotLabKit.Simulation;

/// <summary>
/// A device that plays the AZ-220 course's device-management patterns on IotLabKit's <see cref="DeviceClient"/>:
/// <c>reboot</c> and <c>factoryReset</c> direct methods, telemetry configuration through
/// <c>telemetryConfig.sendFrequency</c>, Lab 16's firmware update and Lab 15's periodic telemetry (see
/// <see cref="SimulatedBehaviors"/>). It runs in the background once <see cref="StartAsync"/> returns; its
/// properties show what it is doing and can be read from any thread at any time.
/// </summary>
/// <example>
/// <code>
/// await using var device = SimulatedDevice.Create(deviceConnectionString,
///     new SimulatedDeviceOptions { Timings = SimulationTimings.Course.Scale(0.1) });
/// await device.StartAsync();
/// // … set the desired "firmware" property and watch device.FirmwareUpdateStatus …
/// await device.StopAsync();
/// </code>
/// </example>
public sealed class SimulatedDevice : IAsyncDisposable, ISimulationHost
{
    private readonly DeviceClient _client;
    private readonly bool _ownsClient;
    private readonly SimulatedDeviceOptions _options;
    private readonly List<IDeviceBehavior> _behaviors = [];
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<Task, CancellationToken> _work = [];
    private readonly Queue<SimulatedDeviceLogEntry> _log = new();
    private CancellationTokenSource _boot;
    private SimulatedDeviceState _state = SimulatedDeviceState.Created;
    private Task? _stopping;
    private bool _restarting;
    private long _messagesSent;
    private long _methodCalls;
    private DateTimeOffset? _startTime, _lastMessageTime, _lastMethodTime, _lastRestartTime, _lastErrorTime;
    private string? _lastMethod, _lastError;
    private int? _lastMethodStatus;
    private int _restartCount;
    private TimeSpan _telemetryInterval;
    private string? _firmwareVersion, _firmwareStatus;

    private SimulatedDevice(DeviceClient client, bool ownsClient, SimulatedDeviceOptions options)
    {
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        _telemetryInterval = options.TelemetryInterval;
        _boot = CancellationTokenSource.CreateLinkedTokenSource(_life.Token);
        Seed = options.Seed ?? Random.Shared.Next();
        if (Behaviors.HasFlag(SimulatedBehaviors.Reboot)) _behaviors.Add(new RebootBehavior(this));
        if (Behaviors.HasFlag(SimulatedBehaviors.FactoryReset)) _behaviors.Add(new FactoryResetBehavior(this));
        if (Behaviors.HasFlag(SimulatedBehaviors.TelemetryConfig)) _behaviors.Add(new TelemetryConfigBehavior(this));
        if (Behaviors.HasFlag(SimulatedBehaviors.FirmwareUpdate))
        {
            _behaviors.Add(new FirmwareUpdateBehavior(this));
            _firmwareVersion = options.FirmwareVersion;
        }
        if (Behaviors.HasFlag(SimulatedBehaviors.Telemetry)) _behaviors.Add(new TelemetryBehavior(this, Seed));
    }

    /// <summary>Creates a simulated device that owns a new device client for <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">The device connection string (<c>HostName=…;DeviceId=…;SharedAccessKey=…</c>).</param>
    /// <param name="options">Settings; null for the course's defaults.</param>
    /// <exception cref="FormatException">The connection string is malformed.</exception>
    /// <exception cref="ArgumentException">It is not a device connection string, or an option is out of range.</exception>
    public static SimulatedDevice Create(string connectionString, SimulatedDeviceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        options ??= new SimulatedDeviceOptions();
        options.Validate();
        var clientOptions = options.ClientOptions ?? new DeviceClientOptions { TimeProvider = options.TimeProvider };
        return new SimulatedDevice(DeviceClient.CreateFromConnectionString(connectionString, options.Transport, clientOptions), ownsClient: true, options);
    }

    /// <summary>
    /// Creates a simulated device on a client the caller owns. The device takes over the client's method handlers,
    /// desired-property callback and connection (a reboot closes and reopens it); it does not dispose it.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static SimulatedDevice Create(DeviceClient client, SimulatedDeviceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new SimulatedDeviceOptions();
        options.Validate();
        return new SimulatedDevice(client, ownsClient: false, options);
    }

    /// <summary>The device id.</summary>
    public string DeviceId => _client.DeviceId;

    /// <summary>The patterns the device plays.</summary>
    public SimulatedBehaviors Behaviors => _options.Behaviors;

    /// <summary>The seed of its sensor readings (the one given, or the random one chosen), to reproduce a run.</summary>
    public int Seed { get; }

    /// <summary>Where the device is in its life.</summary>
    public SimulatedDeviceState State { get { lock (_gate) return _state; } }

    /// <summary>The device client's connection status (Connected, Disconnected_Retrying, Disconnected, Disabled).</summary>
    public ConnectionStatus ConnectionStatus => _client.ConnectionStatus;

    /// <summary>When <see cref="StartAsync"/> brought the device up.</summary>
    public DateTimeOffset? StartTime { get { lock (_gate) return _startTime; } }

    /// <summary>Telemetry messages the hub has acknowledged.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>When the last telemetry message was acknowledged.</summary>
    public DateTimeOffset? LastMessageTime { get { lock (_gate) return _lastMessageTime; } }

    /// <summary>The telemetry interval in effect (the factory one, or the desired <c>telemetryConfig.sendFrequency</c>).</summary>
    public TimeSpan TelemetryInterval { get { lock (_gate) return _telemetryInterval; } }

    /// <summary>The firmware version the device runs; null unless it plays <see cref="SimulatedBehaviors.FirmwareUpdate"/>.</summary>
    public string? FirmwareVersion { get { lock (_gate) return _firmwareVersion; } }

    /// <summary>The last reported <c>fwUpdateStatus</c> (current, downloading, verifying, applying, rebooting, error); null before the first.</summary>
    public string? FirmwareUpdateStatus { get { lock (_gate) return _firmwareStatus; } }

    /// <summary>Direct-method calls received.</summary>
    public long MethodCalls => Interlocked.Read(ref _methodCalls);

    /// <summary>The name of the last direct method called.</summary>
    public string? LastMethod { get { lock (_gate) return _lastMethod; } }

    /// <summary>When the last direct method was called.</summary>
    public DateTimeOffset? LastMethodTime { get { lock (_gate) return _lastMethodTime; } }

    /// <summary>The status the device answered the last direct method with; null while it is being handled.</summary>
    public int? LastMethodStatus { get { lock (_gate) return _lastMethodStatus; } }

    /// <summary>Reboots and factory resets completed.</summary>
    public int RestartCount { get { lock (_gate) return _restartCount; } }

    /// <summary>When the device last came back from a reboot or factory reset.</summary>
    public DateTimeOffset? LastRestartTime { get { lock (_gate) return _lastRestartTime; } }

    /// <summary>The last failure (a send, a report, a reconnect), as text; null when all went well.</summary>
    public string? LastError { get { lock (_gate) return _lastError; } }

    /// <summary>When <see cref="LastError"/> happened.</summary>
    public DateTimeOffset? LastErrorTime { get { lock (_gate) return _lastErrorTime; } }

    /// <summary>The latest log lines, oldest first (at most <see cref="SimulatedDeviceOptions.LogCapacity"/>).</summary>
    public IReadOnlyList<SimulatedDeviceLogEntry> Log { get { lock (_gate) return _log.ToArray(); } }

    /// <summary>
    /// Connects, registers the direct methods and the desired-property callback, reports the boot state (firmware
    /// block, telemetry configuration) and starts the telemetry loop. Returns when the device is up.
    /// </summary>
    /// <exception cref="InvalidOperationException">The device was started before.</exception>
    /// <exception cref="IotHubException">The hub refused or could not be reached; the device is <see cref="SimulatedDeviceState.Failed"/>.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != SimulatedDeviceState.Created)
                throw new InvalidOperationException($"The simulated device '{DeviceId}' was started before ({_state}); create a new one.");
            _state = SimulatedDeviceState.Starting;
        }
        try
        {
            _client.SetConnectionStatusChangesHandler(OnConnectionStatus);
            await _client.OpenAsync(cancellationToken).ConfigureAwait(false);
            foreach (var behavior in _behaviors)
                foreach (var (name, handler) in behavior.Methods)
                    await _client.SetMethodHandlerAsync(name, Answering(handler), null, cancellationToken).ConfigureAwait(false);
            await _client.SetMethodDefaultHandlerAsync(Answering(NoSuchMethodAsync), null, cancellationToken).ConfigureAwait(false);
            if ((Behaviors & (SimulatedBehaviors.TelemetryConfig | SimulatedBehaviors.FirmwareUpdate)) != 0)
                await _client.SetDesiredPropertyUpdateCallbackAsync(OnDesiredAsync, null, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_state != SimulatedDeviceState.Starting) throw new OperationCanceledException("The simulated device was stopped while it started.");
                _state = SimulatedDeviceState.Running;
                _startTime = _options.TimeProvider.GetUtcNow();
            }
            await BootAsync(CurrentBoot).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                if (_state == SimulatedDeviceState.Starting || _state == SimulatedDeviceState.Running) _state = SimulatedDeviceState.Failed;
            }
            RecordError("starting", ex);
            await _life.CancelAsync().ConfigureAwait(false);
            try { await _client.CloseAsync(CancellationToken.None).ConfigureAwait(false); }
            catch (Exception) { /* it did not get up; nothing more to close */ }
            throw;
        }
    }

    /// <summary>
    /// Stops everything the device does, waits for it, and disconnects cleanly. Calling it again waits for the same
    /// stop. A stopped device cannot be started again.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) _stopping ??= StopCoreAsync();
        return _stopping.WaitAsync(cancellationToken);
    }

    /// <summary>Stops the device (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public override string ToString() => DeviceId;

    private CancellationToken CurrentBoot { get { lock (_gate) return _boot.Token; } }

    private async Task StopCoreAsync()
    {
        var failed = false;
        lock (_gate)
        {
            failed = _state == SimulatedDeviceState.Failed;
            _state = SimulatedDeviceState.Stopping;
        }
        await _life.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_gate) running = [.. _work.Keys];
        await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        try
        {
            await _client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            if (_ownsClient) await _client.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RecordError("disconnecting", ex);
        }
        lock (_gate) _state = failed ? SimulatedDeviceState.Failed : SimulatedDeviceState.Stopped;
        WriteLog("Stopped");
    }

    private async Task BootAsync(CancellationToken boot)
    {
        WriteLog("Device booted");
        foreach (var behavior in _behaviors)
        {
            try
            {
                await behavior.OnBootAsync(boot).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (boot.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                RecordError("booting", ex);
            }
        }
    }

    private async Task OnDesiredAsync(TwinCollection desired, object? userContext)
    {
        // Lab 16's device prints exactly this before acting on the patch.
        WriteLog("Desired property changed:");
        WriteLog(desired.ToJson());
        var boot = CurrentBoot;
        foreach (var behavior in _behaviors)
        {
            try
            {
                await behavior.OnDesiredAsync(desired, boot).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (boot.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                RecordError("applying desired properties", ex);
            }
        }
    }

    /// <summary>Wraps a method handler: counts the call, holds the answer back when asked to, remembers the status.</summary>
    private MethodCallback Answering(MethodCallback handler) => async (request, context) =>
    {
        lock (_gate)
        {
            _lastMethod = request.Name;
            _lastMethodTime = _options.TimeProvider.GetUtcNow();
            _lastMethodStatus = null;
        }
        Interlocked.Increment(ref _methodCalls);
        WriteLog($"Direct method {request.Name} called" + (request.DataAsJson is { } payload ? $" with {Shorten(payload)}" : ""));
        if (_options.MethodResponseDelay > TimeSpan.Zero)
            await Task.Delay(_options.MethodResponseDelay, _options.TimeProvider, _life.Token).ConfigureAwait(false);
        var response = await handler(request, context).ConfigureAwait(false);
        lock (_gate) _lastMethodStatus = response.Status;
        WriteLog($"Direct method {request.Name} answered {response.Status}");
        return response;
    };

    private Task<MethodResponse> NoSuchMethodAsync(MethodRequest request, object? context)
    {
        var known = _behaviors.SelectMany(b => b.Methods.Keys).ToList();
        var text = known.Count == 0
            ? $"The simulated device has no direct method '{request.Name}'; it answers none."
            : $"The simulated device has no direct method '{request.Name}'; it answers {string.Join(", ", known)}.";
        return Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes(new JsonObject { ["result"] = text }.ToJsonString()), 501));
    }

    private void OnConnectionStatus(ConnectionStatus status, ConnectionStatusChangeReason reason)
        => WriteLog($"Connection {status} ({reason})");

    private void WriteLog(string text)
    {
        var entry = new SimulatedDeviceLogEntry(_options.TimeProvider.GetUtcNow(), text);
        lock (_gate)
        {
            if (_options.LogCapacity > 0)
            {
                if (_log.Count >= _options.LogCapacity) _log.Dequeue();
                _log.Enqueue(entry);
            }
        }
        try { _options.Log?.Invoke($"{DeviceId}: {text}"); }
        catch (Exception) { /* a broken log sink must not stop the device */ }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private async Task ConnectAgainAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await _client.OpenAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (IotHubException ex) when (ex.IsTransient || ex is IotHubCommunicationException)
            {
                RecordError("reconnecting after the restart", ex);
            }
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    // ---- ISimulationHost: what the behaviours use ----

    SimulatedDeviceOptions ISimulationHost.Options => _options;

    TimeProvider ISimulationHost.Time => _options.TimeProvider;

    void ISimulationHost.Log(string text) => WriteLog(text);

    /// <inheritdoc cref="ISimulationHost.RecordError"/>
    private void RecordError(string during, Exception exception)
    {
        var text = $"Failed {during}: {exception.Message}";
        lock (_gate)
        {
            _lastError = text;
            _lastErrorTime = _options.TimeProvider.GetUtcNow();
        }
        WriteLog(text);
    }

    void ISimulationHost.RecordError(string during, Exception exception) => RecordError(during, exception);

    async Task ISimulationHost.ReportAsync(JsonObject patch, CancellationToken cancellationToken)
    {
        var json = patch.ToJsonString();
        await _client.UpdateReportedPropertiesAsync(new TwinCollection(json), cancellationToken).ConfigureAwait(false);
        _options.ReportObserver?.Invoke((JsonObject)JsonNode.Parse(json)!);
    }

    Task<Twin> ISimulationHost.GetTwinAsync(CancellationToken cancellationToken) => _client.GetTwinAsync(cancellationToken);

    async Task ISimulationHost.SendEventAsync(Message message, CancellationToken cancellationToken)
    {
        await _client.SendEventAsync(message, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _messagesSent);
        lock (_gate) _lastMessageTime = _options.TimeProvider.GetUtcNow();
    }

    void ISimulationHost.RunInBackground(string what, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : _life.Token;
        lock (_gate)
        {
            if (token.IsCancellationRequested) return;
            var task = Task.Run(async () =>
            {
                try
                {
                    await work(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // The device went down under it: that is how background work ends.
                }
                catch (Exception ex)
                {
                    RecordError(what, ex);
                }
            }, CancellationToken.None);
            _work[task] = token;
            _ = task.ContinueWith(t => { lock (_gate) _work.Remove(t); }, TaskScheduler.Default);
        }
    }

    bool ISimulationHost.TryBeginRestart()
    {
        lock (_gate)
        {
            if (_restarting || _state != SimulatedDeviceState.Running) return false;
            _restarting = true;
            return true;
        }
    }

    async Task ISimulationHost.RestartAsync(bool factoryReset, CancellationToken cancellationToken)
    {
        try
        {
            var timings = _options.Timings;
            if (timings.RestartDelay > TimeSpan.Zero)
                await Task.Delay(timings.RestartDelay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);

            CancellationTokenSource ending;
            Task[] bootWork;
            lock (_gate)
            {
                if (_state != SimulatedDeviceState.Running) throw new OperationCanceledException("The device is stopping.");
                _state = SimulatedDeviceState.Restarting;
                ending = _boot;
                bootWork = [.. _work.Where(w => w.Value == ending.Token).Select(w => w.Key)];
            }
            await ending.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(bootWork.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);

            WriteLog(factoryReset ? "Resetting to factory settings" : "Rebooting");
            await _client.CloseAsync(cancellationToken).ConfigureAwait(false);
            if (factoryReset)
            {
                foreach (var behavior in _behaviors) behavior.ResetToFactory();
                WriteLog("Factory settings restored");
            }
            if (timings.RebootDuration > TimeSpan.Zero)
                await Task.Delay(timings.RebootDuration, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            try
            {
                await ConnectAgainAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IotHubException)
            {
                lock (_gate) _state = SimulatedDeviceState.Failed; // refused for good (deleted or disabled meanwhile)
                throw;
            }

            CancellationToken boot;
            lock (_gate)
            {
                if (_state != SimulatedDeviceState.Restarting) throw new OperationCanceledException("The device is stopping.");
                _boot = CancellationTokenSource.CreateLinkedTokenSource(_life.Token);
                boot = _boot.Token;
                _state = SimulatedDeviceState.Running;
                _restartCount++;
                _lastRestartTime = _options.TimeProvider.GetUtcNow();
            }
            await BootAsync(boot).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _restarting = false;
        }
    }

    TimeSpan ISimulationHost.TelemetryInterval => TelemetryInterval;

    void ISimulationHost.SetTelemetryInterval(TimeSpan interval)
    {
        lock (_gate) _telemetryInterval = interval;
        TelemetryIntervalChanged?.Invoke();
    }

    private event Action? TelemetryIntervalChanged;

    event Action? ISimulationHost.TelemetryIntervalChanged
    {
        add => TelemetryIntervalChanged += value;
        remove => TelemetryIntervalChanged -= value;
    }

    void ISimulationHost.SetFirmwareState(string version, string status)
    {
        lock (_gate)
        {
            _firmwareVersion = version;
            _firmwareStatus = status;
        }
    }
}
