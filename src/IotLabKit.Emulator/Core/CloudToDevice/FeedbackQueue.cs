using IotLabKit.Emulator.Storage;

namespace IotLabKit.Emulator.Core.CloudToDevice;

/// <summary>
/// The hub's feedback queue (<c>/messages/serviceBound/feedback</c>): records written in the same store transaction
/// as the message outcome they report, handed to services in batches that stay locked until the service completes
/// them (deleted) or abandons them, or its link goes away (delivered again). Records nobody takes expire after
/// <see cref="TimeToLive"/>, as IoT Hub's feedback does.
/// </summary>
public sealed class FeedbackQueue
{
    /// <summary>How long an untaken record is kept (IoT Hub's default feedback time to live).</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromHours(1);

    /// <summary>The most records one batch carries.</summary>
    public const int MaxBatchSize = 100;

    private readonly HubState _hub;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, FeedbackRecord> _records = [];
    private readonly Dictionary<long, string> _lockedBy = [];
    private readonly Dictionary<string, (object Owner, List<long> Sequences)> _batches = new(StringComparer.Ordinal);
    private TaskCompletionSource _available = NewSignal();
    private long _nextSequence;

    /// <summary>Loads the records the store holds (none are locked after a restart).</summary>
    public FeedbackQueue(HubState hub)
    {
        _hub = hub;
        foreach (var entity in hub.LoadCollection(StoreCollections.CloudToDeviceFeedback))
        {
            var record = CloudToDeviceSerializer.ReadFeedback(entity.Json);
            _records[record.Sequence] = record;
            _nextSequence = Math.Max(_nextSequence, record.Sequence);
        }
    }

    /// <summary>Completes when records may be waiting to be taken (a new task takes its place each time).</summary>
    public Task Available { get { lock (_gate) return _available.Task; } }

    /// <summary>Records not yet completed (locked ones included).</summary>
    public int Count { get { lock (_gate) return _records.Count; } }

    /// <summary>Stages a record for <paramref name="message"/>'s outcome in <paramref name="tx"/> when its sender asked for it.</summary>
    internal void Stage(HubState.HubTransaction tx, CloudToDeviceMessage message, FeedbackStatus status)
    {
        if (!FeedbackRecord.IsWanted(message.Ack, status)) return;
        var record = new FeedbackRecord(Interlocked.Increment(ref _nextSequence), message.MessageId, message.DeviceId, message.GenerationId, tx.Now, status);
        tx.Stage(new StoreChange(StoreCollections.CloudToDeviceFeedback, CloudToDeviceSerializer.Key(record.Sequence), CloudToDeviceSerializer.Write(record)));
        tx.OnCommitted(() =>
        {
            lock (_gate) _records[record.Sequence] = record;
            Pulse();
        });
    }

    /// <summary>Locks up to <see cref="MaxBatchSize"/> untaken records for <paramref name="owner"/>; null when there are none.</summary>
    public FeedbackBatch? TryTake(object owner)
    {
        lock (_gate)
        {
            var taken = _records.Values.Where(r => !_lockedBy.ContainsKey(r.Sequence)).Take(MaxBatchSize).ToList();
            if (taken.Count == 0) return null;
            var token = Guid.NewGuid().ToString();
            foreach (var r in taken) _lockedBy[r.Sequence] = token;
            _batches[token] = (owner, taken.Select(r => r.Sequence).ToList());
            return new FeedbackBatch(token, taken);
        }
    }

    /// <summary>Deletes a batch's records; false when the lock is unknown (already settled, or its link went away).</summary>
    public bool Complete(string lockToken) => _hub.Write(tx =>
    {
        List<long> sequences;
        lock (_gate)
        {
            if (!_batches.TryGetValue(lockToken, out var batch)) return false;
            sequences = batch.Sequences;
        }
        foreach (var seq in sequences)
            tx.Stage(new StoreChange(StoreCollections.CloudToDeviceFeedback, CloudToDeviceSerializer.Key(seq), null));
        tx.OnCommitted(() =>
        {
            lock (_gate)
            {
                _batches.Remove(lockToken);
                foreach (var seq in sequences)
                {
                    _records.Remove(seq);
                    _lockedBy.Remove(seq);
                }
            }
        });
        return true;
    });

    /// <summary>Puts a batch's records back to be taken again.</summary>
    public void Abandon(string lockToken)
    {
        lock (_gate)
        {
            if (!_batches.Remove(lockToken, out var batch)) return;
            foreach (var seq in batch.Sequences) _lockedBy.Remove(seq);
        }
        Pulse();
    }

    /// <summary>Puts back every batch <paramref name="owner"/> holds (its link closed).</summary>
    public void AbandonAll(object owner)
    {
        List<string> tokens;
        lock (_gate) tokens = _batches.Where(b => Equals(b.Value.Owner, owner)).Select(b => b.Key).ToList();
        foreach (var token in tokens) Abandon(token);
    }

    /// <summary>Drops untaken records older than <see cref="TimeToLive"/>.</summary>
    public void ExpireDue() => _hub.Write(tx =>
    {
        var cutoff = tx.Now - TimeToLive;
        List<long> due;
        lock (_gate) due = _records.Values.Where(r => r.EnqueuedTimeUtc <= cutoff && !_lockedBy.ContainsKey(r.Sequence)).Select(r => r.Sequence).ToList();
        foreach (var seq in due)
            tx.Stage(new StoreChange(StoreCollections.CloudToDeviceFeedback, CloudToDeviceSerializer.Key(seq), null));
        tx.OnCommitted(() => { lock (_gate) foreach (var seq in due) _records.Remove(seq); });
        return due.Count;
    });

    private void Pulse()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _available;
            _available = NewSignal();
        }
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
