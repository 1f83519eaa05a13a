namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>
/// Paces a job's device operations to <see cref="JobSettings.DeviceOperationsPerSecond"/> using the hub's clock:
/// operation n may start once n / rate seconds have passed since the job (re)started. Unlimited when the rate is 0.
/// </summary>
internal sealed class JobPacer(double operationsPerSecond, TimeProvider clock)
{
    private readonly long _start = clock.GetTimestamp();
    private readonly Lock _gate = new();
    private long _granted;

    /// <summary>How many operations to take at once: <paramref name="max"/>, or a tenth of a second's worth when paced.</summary>
    public int BatchSize(int max) => operationsPerSecond <= 0 ? max : (int)Math.Clamp(Math.Ceiling(operationsPerSecond / 10), 1, max);

    /// <summary>Waits until <paramref name="count"/> more operations may start.</summary>
    public Task WaitAsync(int count, CancellationToken cancellationToken)
    {
        if (operationsPerSecond <= 0) return Task.CompletedTask;
        long before;
        lock (_gate)
        {
            before = _granted;
            _granted += count;
        }
        var delay = Delay(before, operationsPerSecond, clock.GetElapsedTime(_start));
        return delay > TimeSpan.Zero ? Task.Delay(delay, clock, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>How long operation number <paramref name="granted"/> (0-based) must still wait at <paramref name="elapsed"/>.</summary>
    public static TimeSpan Delay(long granted, double operationsPerSecond, TimeSpan elapsed)
    {
        if (operationsPerSecond <= 0) return TimeSpan.Zero;
        var due = TimeSpan.FromSeconds(granted / operationsPerSecond);
        return due > elapsed ? due - elapsed : TimeSpan.Zero;
    }
}
