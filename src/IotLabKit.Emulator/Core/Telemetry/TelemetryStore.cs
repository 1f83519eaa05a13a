using System.Text;
using System.Threading.Channels;
using IotLabKit.Emulator.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.Emulator.Core.Telemetry;

/// <summary>
/// The hub's telemetry, as IoT Hub's built-in Event Hubs-compatible endpoint keeps it: a fixed number of partitions
/// (a device's messages always go to the same one, by a stable hash of its id), each an append-only sequence with
/// sequence numbers from 0, increasing offsets and enqueued times, and a retention period. Appends from many devices
/// are written in batches (one transaction per batch) and complete only once durable. Readers ask by partition and
/// position (earliest, latest, enqueued time, sequence number, offset) and may wait for new events.
/// </summary>
public sealed class TelemetryStore : IAsyncDisposable
{
    private const int MaxBatch = 512;
    private readonly ITelemetryLog _log;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PartitionCursor[] _partitions;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private readonly Task _retention;
    private TaskCompletionSource _appended = NewSignal();

    /// <summary>Opens the store over <paramref name="log"/>; a new log gets <paramref name="partitionCount"/> partitions.</summary>
    public TelemetryStore(ITelemetryLog log, int partitionCount, TimeSpan retention, TimeProvider clock, ILogger<TelemetryStore>? logger = null)
    {
        _log = log;
        _clock = clock;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Retention = retention;
        if (log.PartitionCount is { } stored)
        {
            if (stored != partitionCount)
                _logger.LogWarning("The telemetry store was created with {Stored} partitions; keeping them (asked for {Asked}). Partition counts are fixed at creation, as on IoT Hub.", stored, partitionCount);
            partitionCount = stored;
        }
        else log.Initialize(partitionCount);
        PartitionCount = partitionCount;
        _partitions = Enumerable.Range(0, partitionCount).Select(_ => new PartitionCursor()).ToArray();
        foreach (var state in log.LoadPartitions().Where(s => s.Partition < partitionCount))
        {
            var cursor = _partitions[state.Partition];
            cursor.First = state.FirstSequenceNumber;
            cursor.Next = state.LastSequenceNumber + 1;
            cursor.NextOffset = state.LastOffset + state.LastSize;
            cursor.LastOffset = state.LastOffset;
            cursor.LastEnqueued = state.LastEnqueuedTime;
        }
        _writer = Task.Run(WriteLoopAsync);
        _retention = Task.Run(RetentionLoopAsync);
    }

    /// <summary>How many partitions there are.</summary>
    public int PartitionCount { get; }

    /// <summary>How long events are kept.</summary>
    public TimeSpan Retention { get; }

    /// <summary>The partition of a device: a stable hash (FNV-1a over the UTF-8 id), the same on every run.</summary>
    public static int PartitionOf(string deviceId, int partitionCount)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(deviceId)) hash = (hash ^ b) * 16777619u;
        return (int)(hash % (uint)partitionCount);
    }

    /// <summary>Stores a message; completes with the stored event once it is durable.</summary>
    public Task<TelemetryEvent> AppendAsync(TelemetryMessage message)
    {
        var pending = new PendingAppend(message);
        if (!_appends.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(TelemetryStore));
        return pending.Done.Task;
    }

    /// <summary>Completes at the next stored batch (then a new task takes its place).</summary>
    public Task Appended { get { lock (_gate) return _appended.Task; } }

    /// <summary>What a partition holds now.</summary>
    public TelemetryPartitionInfo GetPartitionInfo(int partition)
    {
        RequirePartition(partition);
        lock (_gate)
        {
            var c = _partitions[partition];
            var first = Math.Min(c.First ?? c.Next, c.Next);
            return new TelemetryPartitionInfo(partition, first, c.Next - 1, c.LastOffset, c.LastEnqueued, first >= c.Next);
        }
    }

    /// <summary>The sequence number to read from for <paramref name="position"/>.</summary>
    public long Resolve(int partition, TelemetryPosition position)
    {
        var info = GetPartitionInfo(partition);
        var next = info.LastSequenceNumber + 1;
        return position switch
        {
            TelemetryPosition.EarliestPosition => info.BeginningSequenceNumber,
            TelemetryPosition.LatestPosition => next,
            TelemetryPosition.SequenceNumberPosition s => Math.Clamp(s.SequenceNumber, info.BeginningSequenceNumber, next),
            TelemetryPosition.EnqueuedTimePosition t => _log.FirstSequenceNumberAt(partition, t.Time) ?? next,
            TelemetryPosition.OffsetPosition o => _log.FirstSequenceNumberAfterOffset(partition, o.Offset) ?? next,
            _ => throw new ArgumentOutOfRangeException(nameof(position)),
        };
    }

    /// <summary>Up to <paramref name="maxCount"/> retained events of a partition from <paramref name="fromSequenceNumber"/> on.</summary>
    public IReadOnlyList<TelemetryEvent> Read(int partition, long fromSequenceNumber, int maxCount)
    {
        RequirePartition(partition);
        return _log.Read(partition, fromSequenceNumber, maxCount);
    }

    /// <summary>Deletes events older than the retention period; returns how many.</summary>
    public int ApplyRetention()
    {
        var cutoff = _clock.GetUtcNow() - Retention;
        var removed = _log.DeleteBefore(cutoff);
        if (removed > 0)
        {
            lock (_gate)
            {
                for (var p = 0; p < _partitions.Length; p++)
                    _partitions[p].First = _log.Read(p, 0, 1) is [var first, ..] ? first.SequenceNumber : _partitions[p].Next;
            }
        }
        return removed;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _retention.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
        _log.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _appends.Reader;
        var batch = new List<PendingAppend>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var next)) batch.Add(next);
            var now = _clock.GetUtcNow();
            var events = new List<TelemetryEvent>(batch.Count);
            lock (_gate)
            {
                var planned = _partitions.Select(c => (c.Next, c.NextOffset)).ToArray();
                foreach (var pending in batch)
                {
                    var p = PartitionOf(pending.Message.DeviceId, PartitionCount);
                    var ev = new TelemetryEvent(p, planned[p].Next, planned[p].NextOffset, now, pending.Message);
                    planned[p] = (planned[p].Next + 1, planned[p].NextOffset + ev.Size);
                    events.Add(ev);
                }
            }
            try
            {
                _log.Append(events);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Storing {Count} telemetry messages failed; their senders get no acknowledgement.", batch.Count);
                foreach (var pending in batch) pending.Done.TrySetException(ex);
                continue;
            }
            TaskCompletionSource appended;
            lock (_gate)
            {
                foreach (var ev in events)
                {
                    var c = _partitions[ev.Partition];
                    c.First ??= ev.SequenceNumber;
                    c.Next = ev.SequenceNumber + 1;
                    c.NextOffset = ev.Offset + ev.Size;
                    c.LastOffset = ev.Offset;
                    c.LastEnqueued = ev.EnqueuedTime;
                }
                appended = _appended;
                _appended = NewSignal();
            }
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(events[i]);
            appended.TrySetResult();
        }
    }

    private async Task RetentionLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try { ApplyRetention(); }
                catch (Exception ex) { _logger.LogError(ex, "Applying telemetry retention failed."); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private void RequirePartition(int partition)
    {
        if (partition < 0 || partition >= PartitionCount)
            throw HubException.Invalid($"Partition {partition} does not exist; this hub has partitions 0 to {PartitionCount - 1}.");
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class PendingAppend(TelemetryMessage message)
    {
        public TelemetryMessage Message { get; } = message;
        public TaskCompletionSource<TelemetryEvent> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class PartitionCursor
    {
        public long? First;
        public long Next;
        public long NextOffset;
        public long LastOffset = -1;
        public DateTimeOffset? LastEnqueued;
    }
}
