namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>How the jobs engine behaves (the emulator's <c>--max-active-jobs</c>, <c>--job-retention-days</c>, <c>--job-device-rate</c>).</summary>
public sealed record JobSettings
{
    /// <summary>
    /// The default limit of jobs queued, scheduled or running at once. IoT Hub allows 1 (Free, S1), 5 (S2), 10 (S3).
    /// The emulator defaults to S3's 10: a student's lab often schedules a job for later and then runs another, which a
    /// limit of 1 would refuse for reasons that have nothing to do with the lesson; set 1 to practise S1's 429.
    /// </summary>
    public const int DefaultMaxActiveJobs = 10;

    /// <summary>How long finished jobs are kept by default: IoT Hub's 30 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>Jobs queued, scheduled or running at once; one more is refused with 429 ThrottlingMaxActiveJobCountExceeded.</summary>
    public int MaxActiveJobs { get; init; } = DefaultMaxActiveJobs;

    /// <summary>How long a completed, failed or cancelled job stays readable (from its end).</summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    /// <summary>Device operations per second across a job (IoT Hub S1: 10); 0 = as fast as the emulator can.</summary>
    public double DeviceOperationsPerSecond { get; init; }

    /// <summary>Twins updated per store transaction (one hub-lock hold): large enough to be fast, small enough that other requests still get through.</summary>
    public int TwinBatchSize { get; init; } = 500;

    /// <summary>Direct-method calls a job keeps in flight at once.</summary>
    public int MethodParallelism { get; init; } = 100;

    /// <summary>Method results stored per transaction.</summary>
    public int ResultBatchSize { get; init; } = 500;

    /// <summary>How often finished jobs older than <see cref="Retention"/> are removed.</summary>
    public TimeSpan RetentionSweepInterval { get; init; } = TimeSpan.FromHours(1);
}
