namespace IotLabKit.Service;

/// <summary>
/// How the client retries requests the hub answered with 429 (throttled) or 503 (busy): exponential backoff with
/// jitter, at most <see cref="MaxAttempts"/> tries in all. Nothing else is retried: other 4xx answers would fail the
/// same way again, and a 500 may have changed state. IoT Hub's own SDKs retry 429/503 for every call, writes
/// included, because the hub has not acted on a request it answers that way.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Tries in all, the first included (1 = no retries). Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The wait before the first retry; doubles with each retry. Default 1 s.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between tries, also the cap on a server's Retry-After. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A policy that never retries.</summary>
    public static RetryPolicy NoRetry => new() { MaxAttempts = 1 };

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (1 = first retry): <c>BaseDelay × 2^(retry−1)</c>
    /// capped at <see cref="MaxDelay"/>, then jittered into [½, 1] of that so many clients throttled together do not
    /// come back together; never less than the server's Retry-After (also capped).
    /// </summary>
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="retryAfter">The server's Retry-After, if it sent one.</param>
    /// <param name="random">A number in [0, 1).</param>
    public TimeSpan GetDelay(int retry, TimeSpan? retryAfter, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var max = MaxDelay < TimeSpan.Zero ? TimeSpan.Zero : MaxDelay;
        var exponential = BaseDelay.Ticks * Math.Pow(2, Math.Min(retry - 1, 30));
        var capped = Math.Min(exponential, max.Ticks);
        var jittered = TimeSpan.FromTicks((long)(capped * (0.5 + 0.5 * Math.Clamp(random, 0, 1))));
        if (retryAfter is { } after && after > jittered) jittered = after > max ? max : after;
        return jittered < TimeSpan.Zero ? TimeSpan.Zero : jittered;
    }

    internal void Validate()
    {
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "RetryPolicy.MaxAttempts must be at least 1 (1 = no retries).");
        if (BaseDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(BaseDelay), BaseDelay, "RetryPolicy.BaseDelay must not be negative.");
    }

    /// <inheritdoc />
    public override string ToString() => $"MaxAttempts={MaxAttempts}, BaseDelay={BaseDelay}, MaxDelay={MaxDelay}";
}
