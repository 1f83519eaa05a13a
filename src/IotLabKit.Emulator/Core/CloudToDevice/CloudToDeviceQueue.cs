using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Core.CloudToDevice;

/// <summary>
/// Every device's cloud-to-device queue, as IoT Hub keeps it: at most <see cref="MaxQueueDepth"/> messages, each
/// with an expiry and a delivery count. A delivery locks a message until the device completes it (Success), rejects
/// it (Rejected), or abandons it — explicitly, or by losing its connection — after which it is delivered again, or
/// dead-lettered once it was delivered <see cref="MaxDeliveryCount"/> times (DeliveryCountExceeded). Messages that
/// expire before completion are dropped (Expired); a purge drops them all (Purged). Each outcome writes its feedback
/// record (<see cref="FeedbackQueue"/>) in the same store transaction, and the device's
/// <c>cloudToDeviceMessageCount</c> moves with it. Everything runs under the hub's one lock.
/// </summary>
public sealed class CloudToDeviceQueue
{
    /// <summary>The most messages a device's queue holds; one more is 403 DeviceMaximumQueueDepthExceeded.</summary>
    public const int MaxQueueDepth = 50;

    /// <summary>IoT Hub's largest cloud-to-device message.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>How often a message is delivered before it is dead-lettered (IoT Hub's default).</summary>
    public const int MaxDeliveryCount = 10;

    /// <summary>The time to live of a message without an expiry (IoT Hub's default).</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromHours(1);

    /// <summary>The longest time to live a message may ask for; later expiries are cut to it.</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromHours(48);

    private readonly HubState _hub;
    private readonly FeedbackQueue _feedback;
    private readonly ILogger _logger;
    // Guarded by the hub's lock: changed only in commit callbacks, read under HubState.Read/Write.
    private readonly Dictionary<string, List<Slot>> _queues = new(StringComparer.Ordinal);
    private long _nextSequence;

    /// <summary>Loads the queues from the store, drops messages of devices that no longer exist, and sets each device's count.</summary>
    public CloudToDeviceQueue(HubState hub, FeedbackQueue feedback, DeviceRegistry registry, ILogger<CloudToDeviceQueue> logger)
    {
        _hub = hub;
        _feedback = feedback;
        _logger = logger;
        var stored = hub.LoadCollection(StoreCollections.CloudToDeviceMessages).Select(e => CloudToDeviceSerializer.ReadMessage(e.Json)).OrderBy(m => m.Sequence).ToList();
        _nextSequence = stored.Count == 0 ? 0 : stored[^1].Sequence;
        hub.Write(tx =>
        {
            foreach (var message in stored)
            {
                if (tx.Find(message.DeviceId)?.Identity.GenerationId != message.GenerationId)
                {
                    tx.Stage(Delete(message));
                    continue;
                }
                Queue(message.DeviceId).Add(new Slot(message));
            }
            foreach (var record in tx.DevicesAtStart.ToList())
            {
                var count = _queues.TryGetValue(record.Identity.DeviceId, out var q) ? q.Count : 0;
                if (record.Identity.CloudToDeviceMessageCount != count) SetCount(tx, record.Identity.DeviceId, count);
            }
            return 0;
        });
        registry.DeviceAccessRevoked += deviceId => _ = Task.Run(() => DropIfDeleted(deviceId));
    }

    /// <summary>
    /// Raised after messages became available to a device (sent, or put back), with its id. Runs under the hub's
    /// lock: hand it on, never block.
    /// </summary>
    public event Action<string>? MessagesAvailable;

    /// <summary>Queues a message for a device; throws <see cref="HubException"/> (404001, 403004, 413001).</summary>
    public CloudToDeviceMessage Enqueue(OutgoingCloudToDeviceMessage request)
    {
        var size = request.Body.Length + request.Properties.Sum(p => p.Key.Length + (p.Value?.Length ?? 0));
        if (size > MaxMessageBytes)
            throw new HubException(IotHubErrorCode.MessageTooLarge, $"The cloud-to-device message is {size} bytes; IoT Hub takes at most {MaxMessageBytes} bytes (body and properties).");
        return _hub.Write(tx =>
        {
            var device = tx.Find(request.DeviceId) ?? throw HubException.DeviceNotFound(request.DeviceId);
            var queue = Queue(request.DeviceId);
            if (queue.Count >= MaxQueueDepth)
                throw new HubException(IotHubErrorCode.DeviceMaximumQueueDepthExceeded,
                    $"Device {request.DeviceId} already has {MaxQueueDepth} cloud-to-device messages queued, the most IoT Hub keeps for a device: let it receive some, or purge its queue (DELETE /devices/{request.DeviceId}/commands).");
            var now = tx.Now;
            var latest = now + MaxTimeToLive;
            var message = new CloudToDeviceMessage
            {
                Sequence = ++_nextSequence,
                DeviceId = request.DeviceId,
                GenerationId = device.Identity.GenerationId,
                MessageId = string.IsNullOrEmpty(request.MessageId) ? Guid.NewGuid().ToString() : request.MessageId,
                Ack = request.Ack,
                CorrelationId = request.CorrelationId,
                UserId = request.UserId,
                ContentType = request.ContentType,
                ContentEncoding = request.ContentEncoding,
                Properties = request.Properties,
                Body = request.Body,
                EnqueuedTime = now,
                ExpiryTime = request.ExpiresOn is { } e ? (e < latest ? e : latest) : now + DefaultTimeToLive,
                ExpirySetBySender = request.ExpiresOn is not null,
            };
            tx.Stage(Put(message));
            SetCount(tx, request.DeviceId, queue.Count + 1);
            tx.OnCommitted(() =>
            {
                queue.Add(new Slot(message));
                MessagesAvailable?.Invoke(request.DeviceId);
            });
            return message;
        });
    }

    /// <summary>
    /// Locks every message of the device that is neither locked nor expired for <paramref name="owner"/> (one
    /// connection), counting a delivery for each, oldest first. Expired ones met on the way are dropped.
    /// </summary>
    public IReadOnlyList<LockedCloudToDeviceMessage> LockAvailable(string deviceId, object owner) => _hub.Write(tx =>
    {
        if (!_queues.TryGetValue(deviceId, out var queue)) return [];
        var now = tx.Now;
        var locked = new List<(Slot Slot, LockedCloudToDeviceMessage Locked)>();
        var expired = new List<Slot>();
        foreach (var slot in queue)
        {
            if (slot.LockToken is not null) continue;
            if (slot.Message.ExpiryTime <= now)
            {
                expired.Add(slot);
                continue;
            }
            var delivered = slot.Message with { DeliveryCount = slot.Message.DeliveryCount + 1 };
            tx.Stage(Put(delivered));
            locked.Add((slot, new LockedCloudToDeviceMessage(delivered, Guid.NewGuid().ToString())));
        }
        foreach (var slot in expired) StageRemoval(tx, queue, slot, FeedbackStatus.Expired);
        tx.OnCommitted(() =>
        {
            foreach (var (slot, l) in locked)
            {
                slot.Message = l.Message;
                slot.LockToken = l.LockToken;
                slot.Owner = owner;
            }
        });
        return locked.Select(l => l.Locked).ToList();
    });

    /// <summary>The device completed a message (Success feedback); false when the lock is unknown.</summary>
    public bool Complete(string deviceId, string lockToken) => Settle(deviceId, lockToken, FeedbackStatus.Success);

    /// <summary>The device rejected a message (Rejected feedback); false when the lock is unknown.</summary>
    public bool Reject(string deviceId, string lockToken) => Settle(deviceId, lockToken, FeedbackStatus.Rejected);

    /// <summary>The device gave a message back; false when the lock is unknown.</summary>
    public bool Abandon(string deviceId, string lockToken) => Settle(deviceId, lockToken, null);

    /// <summary>Gives back every message <paramref name="owner"/> holds (its connection ended before it completed them).</summary>
    public void AbandonAll(string deviceId, object owner) => AbandonWhere(deviceId, o => Equals(o, owner));

    /// <summary>Gives back every message held by another owner than <paramref name="current"/> (the device's connection was replaced).</summary>
    public void AbandonOthers(string deviceId, object current) => AbandonWhere(deviceId, o => !Equals(o, current));

    private void AbandonWhere(string deviceId, Func<object?, bool> owner) => _hub.Write(tx =>
    {
        if (!_queues.TryGetValue(deviceId, out var queue)) return 0;
        var held = queue.Where(s => s.LockToken is not null && owner(s.Owner)).ToList();
        foreach (var slot in held) StageAbandon(tx, queue, slot);
        return held.Count;
    });

    /// <summary>Drops every message of the device (Purged feedback where asked); the number dropped. 404001 for an unknown device.</summary>
    public int Purge(string deviceId) => _hub.Write(tx =>
    {
        if (tx.Find(deviceId) is null) throw HubException.DeviceNotFound(deviceId);
        if (!_queues.TryGetValue(deviceId, out var queue)) return 0;
        var all = queue.ToList();
        foreach (var slot in all) StageRemoval(tx, queue, slot, FeedbackStatus.Purged);
        return all.Count;
    });

    /// <summary>How many messages the device has queued (locked ones included).</summary>
    public int Count(string deviceId) => _hub.Read(_ => _queues.TryGetValue(deviceId, out var q) ? q.Count : 0);

    /// <summary>Drops every unlocked message whose expiry has passed (Expired feedback where asked).</summary>
    public int ExpireDue() => _hub.Write(tx =>
    {
        var now = tx.Now;
        var dropped = 0;
        foreach (var queue in _queues.Values)
        {
            foreach (var slot in queue.Where(s => s.LockToken is null && s.Message.ExpiryTime <= now).ToList())
            {
                StageRemoval(tx, queue, slot, FeedbackStatus.Expired);
                dropped++;
            }
        }
        return dropped;
    });

    /// <summary>Expires messages and feedback every second until <paramref name="stoppingToken"/> fires.</summary>
    public async Task RunExpiryAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _hub.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    ExpireDue();
                    _feedback.ExpireDue();
                }
                catch (Exception ex) { _logger.LogError(ex, "Expiring cloud-to-device messages failed."); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private bool Settle(string deviceId, string lockToken, FeedbackStatus? outcome) => _hub.Write(tx =>
    {
        if (!_queues.TryGetValue(deviceId, out var queue) || queue.Find(s => s.LockToken == lockToken) is not { } slot) return false;
        if (outcome is { } status) StageRemoval(tx, queue, slot, status);
        else StageAbandon(tx, queue, slot);
        return true;
    });

    private void StageAbandon(HubState.HubTransaction tx, List<Slot> queue, Slot slot)
    {
        if (slot.Message.DeliveryCount >= MaxDeliveryCount)
        {
            StageRemoval(tx, queue, slot, FeedbackStatus.DeliveryCountExceeded);
            return;
        }
        var deviceId = slot.Message.DeviceId;
        tx.OnCommitted(() =>
        {
            slot.LockToken = null;
            slot.Owner = null;
            MessagesAvailable?.Invoke(deviceId);
        });
    }

    // Several removals in one transaction each see the count before the others: the count is set from what stays.
    private void StageRemoval(HubState.HubTransaction tx, List<Slot> queue, Slot slot, FeedbackStatus status)
    {
        slot.Removing = true;
        tx.Stage(Delete(slot.Message));
        _feedback.Stage(tx, slot.Message, status);
        SetCount(tx, slot.Message.DeviceId, queue.Count(s => !s.Removing));
        tx.OnCommitted(() => queue.Remove(slot));
    }

    private static void SetCount(HubState.HubTransaction tx, string deviceId, int count)
    {
        // Not stored on its own (like connection state): the queue is the truth, and sets the counts again at start.
        if (tx.Find(deviceId) is { } record && record.Identity.CloudToDeviceMessageCount != count)
            tx.Touch(record with { Identity = record.Identity with { CloudToDeviceMessageCount = count } });
    }

    private void DropIfDeleted(string deviceId)
    {
        try
        {
            _hub.Write(tx =>
            {
                if (!_queues.TryGetValue(deviceId, out var queue)) return 0;
                var generation = tx.Find(deviceId)?.Identity.GenerationId;
                var gone = queue.Where(s => s.Message.GenerationId != generation).ToList();
                foreach (var slot in gone) tx.Stage(Delete(slot.Message));
                tx.OnCommitted(() =>
                {
                    foreach (var slot in gone) queue.Remove(slot);
                    if (queue.Count == 0) _queues.Remove(deviceId);
                });
                return gone.Count;
            });
        }
        catch (Exception ex) { _logger.LogError(ex, "Dropping the cloud-to-device queue of deleted device '{DeviceId}' failed.", deviceId); }
    }

    private List<Slot> Queue(string deviceId)
    {
        if (!_queues.TryGetValue(deviceId, out var queue)) _queues[deviceId] = queue = [];
        return queue;
    }

    private static StoreChange Put(CloudToDeviceMessage m)
        => new(StoreCollections.CloudToDeviceMessages, CloudToDeviceSerializer.Key(m.Sequence), CloudToDeviceSerializer.Write(m));

    private static StoreChange Delete(CloudToDeviceMessage m)
        => new(StoreCollections.CloudToDeviceMessages, CloudToDeviceSerializer.Key(m.Sequence), null);

    private sealed class Slot(CloudToDeviceMessage message)
    {
        public CloudToDeviceMessage Message { get; set; } = message;
        public string? LockToken { get; set; }
        public object? Owner { get; set; }
        public bool Removing { get; set; }
    }
}
