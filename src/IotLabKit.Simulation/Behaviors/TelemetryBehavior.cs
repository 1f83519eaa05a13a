using IotLabKit.Device;
using IotLabKit.Simulation.Hosting;
using IotLabKit.Simulation.Sensors;

namespace IotLabKit.Simulation.Behaviors;

/// <summary>
/// Lab 15's telemetry loop: read the sensors, send <c>{"temperature":…,"humidity":…}</c> (JSON, UTF-8), wait the
/// telemetry interval, again. A new interval (from <c>telemetryConfig</c>) takes effect at once. The loop runs while
/// the device is up and stops when it goes down; a failed send is logged and the loop goes on.
/// </summary>
internal sealed class TelemetryBehavior : IDeviceBehavior
{
    private readonly ISimulationHost _host;
    private readonly EnvironmentSensor _sensor;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _wait;

    public TelemetryBehavior(ISimulationHost host, int seed)
    {
        _host = host;
        _sensor = new EnvironmentSensor(seed);
        host.TelemetryIntervalChanged += OnIntervalChanged;
    }

    public IReadOnlyDictionary<string, MethodCallback> Methods { get; } = new Dictionary<string, MethodCallback>();

    public Task OnBootAsync(CancellationToken boot)
    {
        _host.RunInBackground("telemetry", LoopAsync, boot);
        return Task.CompletedTask;
    }

    public Task OnDesiredAsync(TwinCollection desired, CancellationToken boot) => Task.CompletedTask;

    public void ResetToFactory() { }

    private async Task LoopAsync(CancellationToken boot)
    {
        while (!boot.IsCancellationRequested)
        {
            var body = _sensor.ReadJson();
            try
            {
                using var message = new Message(body) { ContentType = "application/json", ContentEncoding = "utf-8" };
                await _host.SendEventAsync(message, boot).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (boot.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _host.RecordError("sending telemetry", ex);
            }
            await WaitIntervalAsync(boot).ConfigureAwait(false);
        }
    }

    /// <summary>Waits one interval, or less when the interval changes meanwhile.</summary>
    private async Task WaitIntervalAsync(CancellationToken boot)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(boot);
        lock (_gate) _wait = wait;
        try
        {
            await Task.Delay(_host.TelemetryInterval, _host.Time, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cut short by a new interval or by the device going down; the loop checks which.
        }
        finally
        {
            lock (_gate) _wait = null;
        }
    }

    private void OnIntervalChanged()
    {
        // Asynchronously, so the loop does not run on the thread that changed the interval.
        lock (_gate) _wait?.CancelAsync();
    }
}
