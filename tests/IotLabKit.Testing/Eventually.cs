namespace IotLabKit.Testing;

/// <summary>Waits on a condition that something else makes true (no sleeps): polls a cheap check on each signal or tick.</summary>
public static class Eventually
{
    /// <summary>Reads until <paramref name="done"/> holds, or throws <see cref="TimeoutException"/> naming <paramref name="what"/> (default 20 s).</summary>
    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            try { await tick.WaitForNextTickAsync(cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"Never saw: {what}. Last value: {value}"); }
        }
    }
}
