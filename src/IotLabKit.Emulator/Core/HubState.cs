using System.Globalization;
using IotLabKit.Emulator.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.Emulator.Core;

/// <summary>A consistent read-only view of the hub's devices.</summary>
public interface IHubView
{
    /// <summary>The device with this id, or null.</summary>
    DeviceRecord? Find(string deviceId);

    /// <summary>Every device, in device-id order.</summary>
    IEnumerable<DeviceRecord> Devices { get; }

    /// <summary>How many devices there are.</summary>
    int DeviceCount { get; }
}

/// <summary>
/// The hub's state: every device in memory, written through to an <see cref="IHubStore"/> before a write
/// returns. All access goes through one lock — reads included, because <c>JsonObject</c> trees are not safe to
/// read while another thread materialises them — so each operation sees and leaves a consistent hub.
/// A <see cref="Write{T}"/> stages its changes, stores them as one batch, and only then makes them visible;
/// if staging throws or the store fails, nothing changes.
/// </summary>
public sealed class HubState : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, DeviceRecord> _devices = new(StringComparer.Ordinal);
    private readonly IHubStore _store;
    private long _deviceETagSequence;
    private long _lastGenerationId;
    private readonly ILogger _logger;

    /// <summary>Loads every device from <paramref name="store"/>.</summary>
    public HubState(IHubStore store, TimeProvider clock, ILogger<HubState>? logger = null)
    {
        _store = store;
        Clock = clock;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        foreach (var entity in store.LoadAll(StoreCollections.Devices))
        {
            var record = DeviceRecordSerializer.Deserialize(entity.Json).Settled();
            _devices[record.Identity.DeviceId] = record;
            _deviceETagSequence = Math.Max(_deviceETagSequence, record.Identity.ETagCounter);
            if (long.TryParse(record.Identity.GenerationId, NumberStyles.None, CultureInfo.InvariantCulture, out var g))
                _lastGenerationId = Math.Max(_lastGenerationId, g);
        }
    }

    /// <summary>The hub's clock; every timestamp comes from it.</summary>
    public TimeProvider Clock { get; }

    /// <summary>
    /// Moves on every committed write that put or deleted a device record, so a reader can tell under the lock that
    /// nothing changed since it last looked (the query documents' snapshot does).
    /// </summary>
    public long DeviceChangeCount { get; private set; }

    /// <summary>The store's kind ("sqlite" or "memory").</summary>
    public string StorageKind => _store.Kind;

    /// <summary>
    /// Every stored entity of another collection than devices (configurations, jobs …), for the part of the hub
    /// that owns it to load once at start. Its changes go through <see cref="HubTransaction.Stage"/>.
    /// </summary>
    public IReadOnlyList<StoredEntity> LoadCollection(string collection)
    {
        lock (_gate) return _store.LoadAll(collection);
    }

    /// <summary>Runs <paramref name="read"/> against a consistent view.</summary>
    public T Read<T>(Func<IHubView, T> read)
    {
        lock (_gate) return read(new View(this));
    }

    /// <summary>
    /// Runs <paramref name="write"/>, stores what it staged in one batch, then publishes it and runs the
    /// callbacks it registered with <see cref="HubTransaction.OnCommitted"/> (still under the lock, so
    /// notifications leave in commit order; they must not block or call back into the hub).
    /// </summary>
    public T Write<T>(Func<HubTransaction, T> write)
    {
        lock (_gate)
        {
            var tx = new HubTransaction(this);
            var result = write(tx);
            tx.Commit();
            return result;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();

    private sealed class View(HubState hub) : IHubView
    {
        public DeviceRecord? Find(string deviceId) => hub._devices.GetValueOrDefault(deviceId);
        public IEnumerable<DeviceRecord> Devices => hub._devices.Values;
        public int DeviceCount => hub._devices.Count;
    }

    /// <summary>A write in progress: staged puts and deletes, visible to itself only until committed.</summary>
    public sealed class HubTransaction : IHubView
    {
        private readonly HubState _hub;
        private readonly Dictionary<string, DeviceRecord?> _staged = new(StringComparer.Ordinal);
        // Ids whose staged change touches only what is never stored (connection state, activity times).
        private readonly HashSet<string> _unstored = new(StringComparer.Ordinal);
        private readonly List<Action> _committed = [];
        private readonly List<StoreChange> _other = [];
        private long _etagSequence;
        private long _generation;

        internal HubTransaction(HubState hub)
        {
            _hub = hub;
            _etagSequence = hub._deviceETagSequence;
            _generation = hub._lastGenerationId;
        }

        /// <summary>The write time for this transaction.</summary>
        public DateTimeOffset Now => _hub.Clock.GetUtcNow();

        /// <inheritdoc />
        public DeviceRecord? Find(string deviceId)
            => _staged.TryGetValue(deviceId, out var staged) ? staged : _hub._devices.GetValueOrDefault(deviceId);

        /// <inheritdoc />
        public IEnumerable<DeviceRecord> Devices
            => _hub._devices.Keys.Union(_staged.Keys).Order(StringComparer.Ordinal)
                .Select(Find).OfType<DeviceRecord>();

        /// <inheritdoc />
        public int DeviceCount => Devices.Count();

        /// <summary>
        /// The devices as they were when the transaction began, in id order, without what it staged since: a
        /// cheap view that stays valid while the transaction stages (a pass over every twin reads one and puts it).
        /// </summary>
        public IEnumerable<DeviceRecord> DevicesAtStart => _hub._devices.Values;

        /// <summary>Stages a new or changed device.</summary>
        public void Put(DeviceRecord record)
        {
            _staged[record.Identity.DeviceId] = record;
            _unstored.Remove(record.Identity.DeviceId);
        }

        /// <summary>
        /// Stages a change of fields the store does not need to see at once (connection state, last activity): it is
        /// published like any change but written to the store only with the device's next stored change. Thousands of
        /// connects or messages a second must not each cost a database write.
        /// </summary>
        public void Touch(DeviceRecord record)
        {
            var id = record.Identity.DeviceId;
            if (!_staged.ContainsKey(id)) _unstored.Add(id);
            _staged[id] = record;
        }

        /// <summary>Stages a deletion.</summary>
        public void Delete(string deviceId)
        {
            _staged[deviceId] = null;
            _unstored.Remove(deviceId);
        }

        /// <summary>The next device etag counter (hub-wide, so a re-created device never reuses an old etag).</summary>
        public long NextDeviceETag() => ++_etagSequence;

        /// <summary>A generation id for a new device: creation time in ticks, kept unique.</summary>
        public string NextGenerationId()
        {
            _generation = Math.Max(_generation + 1, Now.UtcTicks);
            return _generation.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// Stages a change to another collection than devices, stored in the same batch as the device changes
        /// (so a configuration and the twins it wrote land together). The owner publishes its in-memory copy in
        /// <see cref="OnCommitted"/>.
        /// </summary>
        public void Stage(StoreChange change)
        {
            if (change.Collection == StoreCollections.Devices)
                throw new ArgumentException("Devices are staged with Put and Delete.", nameof(change));
            _other.Add(change);
        }

        /// <summary>Runs <paramref name="callback"/> after the transaction is stored and published.</summary>
        public void OnCommitted(Action callback) => _committed.Add(callback);

        internal void Commit()
        {
            if (_staged.Count > 0 || _other.Count > 0)
            {
                var changes = _staged.Where(s => !_unstored.Contains(s.Key))
                    .Select(s => new StoreChange(StoreCollections.Devices, s.Key,
                        s.Value is null ? null : DeviceRecordSerializer.Serialize(s.Value))).ToList();
                changes.AddRange(_other);
                if (changes.Count > 0) _hub._store.Apply(changes);
                foreach (var (id, record) in _staged)
                {
                    if (record is null) _hub._devices.Remove(id);
                    else
                    {
                        // The service document is built on write, once: every reader (GET twin, queries, jobs,
                        // configurations) shares it, and the stored twin reads from it too.
                        _hub._devices[id] = record.Settled();
                    }
                }
                if (_staged.Count > 0) _hub.DeviceChangeCount++;
            }
            _hub._deviceETagSequence = _etagSequence;
            _hub._lastGenerationId = _generation;
            foreach (var callback in _committed)
            {
                // The write is durable and visible by now; a failing listener must not turn it into an error.
                try { callback(); }
                catch (Exception ex) { _hub._logger.LogError(ex, "A hub change listener failed."); }
            }
        }
    }
}
