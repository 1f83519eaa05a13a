using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>
/// When the engine runs: once at start, shortly after every configuration change (IoT Hub applies a new or changed
/// configuration "shortly"), and then every <see cref="Interval"/> (IoT Hub: 5 minutes) — which is also when twin
/// changes (a new tag, a new device, a reported value a metric counts) are picked up, as on the hub. Changes that
/// arrive while an evaluation runs coalesce into one more. Waits on the hub's clock, so tests can move time.
/// </summary>
public sealed class ConfigurationScheduler
{
    private readonly ConfigurationEngine _engine;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private DateTimeOffset _nextDue;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Creates the scheduler and has it evaluate soon after every configuration change.</summary>
    public ConfigurationScheduler(ConfigurationEngine engine, ConfigurationStore configurations, TimeProvider clock,
        TimeSpan interval, ILogger<ConfigurationScheduler>? logger = null)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "The evaluation interval must be positive.");
        _engine = engine;
        _clock = clock;
        Interval = interval;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        configurations.Changed += RequestEvaluation;
    }

    /// <summary>Raised after each evaluation the scheduler ran (on its own task).</summary>
    public event Action<ConfigurationEvaluation>? Evaluated;

    /// <summary>The time between scheduled evaluations.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Asks for an evaluation soon (never blocks; several requests before it runs make one evaluation).</summary>
    public void RequestEvaluation() => _requests.Writer.TryWrite(true);

    /// <summary>Evaluates at start, then on request or every <see cref="Interval"/>, until <paramref name="stopping"/>.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        RequestEvaluation();
        while (!stopping.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            // Due at a time, not after a delay, so time that passed while evaluating (or before this wait) counts.
            var delay = _nextDue - _clock.GetUtcNow();
            var timer = delay > TimeSpan.Zero ? Task.Delay(delay, _clock, wait.Token) : Task.CompletedTask;
            var request = _requests.Reader.WaitToReadAsync(wait.Token).AsTask();
            try { await Task.WhenAny(timer, request).ConfigureAwait(false); }
            finally { await wait.CancelAsync().ConfigureAwait(false); }
            if (stopping.IsCancellationRequested) break;
            _requests.Reader.TryRead(out _);
            Run();
        }
    }

    private void Run()
    {
        _nextDue = _clock.GetUtcNow() + Interval;
        try
        {
            var result = _engine.Evaluate();
            Evaluated?.Invoke(result);
            if (_logger.IsEnabled(LogLevel.Information))
                _logger.LogInformation("Evaluated {Configurations} configurations over {Twins} twins in {Milliseconds:0} ms; {Updated} twins updated.",
                    result.ConfigurationCount, result.TwinCount, result.Duration.TotalMilliseconds, result.UpdatedTwinCount);
        }
        catch (Exception ex)
        {
            // A failed evaluation (say, the store is full) is retried at the next change or interval; the hub keeps serving.
            _logger.LogError(ex, "Evaluating the automatic device configurations failed.");
        }
    }
}
