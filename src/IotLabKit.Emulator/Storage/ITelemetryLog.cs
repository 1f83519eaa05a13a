using IotLabKit.Emulator.Core.Telemetry;

namespace IotLabKit.Emulator.Storage;

/// <summary>The last stored event of a partition and the first retained one (-1 when none).</summary>
public sealed record TelemetryPartitionState(int Partition, long FirstSequenceNumber, long LastSequenceNumber, long LastOffset, long LastSize, DateTimeOffset? LastEnqueuedTime);

/// <summary>
/// Where telemetry survives the process: an append-only log per partition, read by sequence number. An append
/// returns only once durable (a PUBACK promises that). Implementations: SQLite (<c>telemetry.db</c> beside the
/// hub's database) and in memory.
/// </summary>
public interface ITelemetryLog : IDisposable
{
    /// <summary>"sqlite" or "memory".</summary>
    string Kind { get; }

    /// <summary>The partition count fixed when the log was created, or null for a new log.</summary>
    int? PartitionCount { get; }

    /// <summary>Fixes the partition count of a new log.</summary>
    void Initialize(int partitionCount);

    /// <summary>The state of every partition (called once at start).</summary>
    IReadOnlyList<TelemetryPartitionState> LoadPartitions();

    /// <summary>Stores events atomically: all or none.</summary>
    void Append(IReadOnlyList<TelemetryEvent> events);

    /// <summary>Up to <paramref name="maxCount"/> events of a partition from a sequence number on, in order.</summary>
    IReadOnlyList<TelemetryEvent> Read(int partition, long fromSequenceNumber, int maxCount);

    /// <summary>The first sequence number enqueued at or after <paramref name="time"/>, or null.</summary>
    long? FirstSequenceNumberAt(int partition, DateTimeOffset time);

    /// <summary>The first sequence number with an offset greater than <paramref name="offset"/>, or null.</summary>
    long? FirstSequenceNumberAfterOffset(int partition, long offset);

    /// <summary>Deletes events enqueued before <paramref name="cutoff"/>; returns how many.</summary>
    int DeleteBefore(DateTimeOffset cutoff);
}
