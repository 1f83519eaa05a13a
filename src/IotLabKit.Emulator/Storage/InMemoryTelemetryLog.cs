using IotLabKit.Emulator.Core.Telemetry;

namespace IotLabKit.Emulator.Storage;

/// <summary>
/// Telemetry kept in memory (<c>--in-memory</c>). Retention applies as on disk; on top of it the log holds at most
/// <see cref="MaxBytes"/> of bodies and drops the oldest events beyond that, so a long-running simulation cannot
/// exhaust memory.
/// </summary>
public sealed class InMemoryTelemetryLog(long maxBytes = InMemoryTelemetryLog.DefaultMaxBytes) : ITelemetryLog
{
    /// <summary>The default cap: 256 MB of event bodies.</summary>
    public const long DefaultMaxBytes = 256L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, List<TelemetryEvent>> _partitions = [];
    private long _bytes;
    private int? _partitionCount;

    /// <summary>The most body bytes kept.</summary>
    public long MaxBytes { get; } = maxBytes;

    /// <inheritdoc />
    public string Kind => "memory";

    /// <inheritdoc />
    public int? PartitionCount { get { lock (_gate) return _partitionCount; } }

    /// <inheritdoc />
    public void Initialize(int partitionCount)
    {
        lock (_gate) _partitionCount = partitionCount;
    }

    /// <inheritdoc />
    public IReadOnlyList<TelemetryPartitionState> LoadPartitions() => [];

    /// <inheritdoc />
    public void Append(IReadOnlyList<TelemetryEvent> events)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                if (!_partitions.TryGetValue(e.Partition, out var list)) _partitions[e.Partition] = list = [];
                list.Add(e);
                _bytes += e.Message.Body.Length;
            }
            while (_bytes > MaxBytes)
            {
                var oldest = _partitions.Values.Where(l => l.Count > 0).MinBy(l => l[0].EnqueuedTime);
                if (oldest is null) break;
                _bytes -= oldest[0].Message.Body.Length;
                oldest.RemoveAt(0);
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<TelemetryEvent> Read(int partition, long fromSequenceNumber, int maxCount)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var list) || list.Count == 0) return [];
            var start = Math.Max(0, (int)Math.Min(int.MaxValue, fromSequenceNumber - list[0].SequenceNumber));
            return list.Skip(start).Take(maxCount).ToList();
        }
    }

    /// <inheritdoc />
    public long? FirstSequenceNumberAt(int partition, DateTimeOffset time)
    {
        lock (_gate) return _partitions.GetValueOrDefault(partition)?.FirstOrDefault(e => e.EnqueuedTime >= time)?.SequenceNumber;
    }

    /// <inheritdoc />
    public long? FirstSequenceNumberAfterOffset(int partition, long offset)
    {
        lock (_gate) return _partitions.GetValueOrDefault(partition)?.FirstOrDefault(e => e.Offset > offset)?.SequenceNumber;
    }

    /// <inheritdoc />
    public int DeleteBefore(DateTimeOffset cutoff)
    {
        lock (_gate)
        {
            var removed = 0;
            foreach (var list in _partitions.Values)
            {
                var n = list.TakeWhile(e => e.EnqueuedTime < cutoff).Count();
                _bytes -= list.Take(n).Sum(e => (long)e.Message.Body.Length);
                list.RemoveRange(0, n);
                removed += n;
            }
            return removed;
        }
    }

    /// <inheritdoc />
    public void Dispose() { }
}
