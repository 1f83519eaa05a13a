using System.Text.Json.Nodes;
using IotLabKit.Query;
using QueryCollection = IotLabKit.Query.QueryCollection;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>
/// The documents queries run over, taken from the hub's state at the moment of the call: twins exactly as
/// <c>GET /twins/{id}</c> shows them, module twins (none yet: the hub has no modules), and per-device job
/// documents from the <see cref="IDeviceJobSource"/>.
/// </summary>
/// <remarks>
/// Building a twin's service JSON costs far more than evaluating a condition on it, so each twin document is
/// built once per version of its device record and kept: a query over 100,000 unchanged twins only looks them
/// up. A document is fully built (no lazily parsed parts) and never changed afterwards, so queries read it
/// outside the hub lock, several at once. The lock is held only to find the current documents.
/// </remarks>
public sealed class HubQuerySource(HubState hub, IDeviceJobSource deviceJobs) : IQuerySource
{
    // Touched only inside hub.Read, so the hub lock guards it. Keyed by device id; an entry is current while
    // its record is the very instance the hub holds (records are immutable: every write puts a new one).
    private readonly Dictionary<string, CachedTwin> _twins = new(StringComparer.Ordinal);

    // The last full list of twin documents and the hub's change count it was built at (also guarded by the hub
    // lock). Handed out as it is: never changed after it is built.
    private List<QueryDocument>? _allTwins;
    private long _allTwinsVersion;

    /// <summary>
    /// The documents of <paramref name="collection"/> whose key is greater than <paramref name="afterKey"/>
    /// (all of them when null), in key order, as they are now. The list may be shared with other callers: only read it.
    /// </summary>
    public IReadOnlyList<QueryDocument> Snapshot(QueryCollection collection, string? afterKey = null) => collection switch
    {
        QueryCollection.Devices => SnapshotTwins(afterKey),
        QueryCollection.DevicesJobs => After(deviceJobs.SnapshotDeviceJobs(), afterKey),
        // Modules are not in the hub yet; when they are, their twins go here keyed "deviceId/moduleId".
        _ => [],
    };

    /// <inheritdoc />
    public IEnumerable<JsonObject> GetDocuments(QueryCollection collection)
        => Snapshot(collection).Select(d => d.Document);

    /// <summary>How many twin documents are built per hold of the hub lock when many are missing.</summary>
    public const int BuildChunk = 2000;

    private IReadOnlyList<QueryDocument> SnapshotTwins(string? afterKey)
    {
        BuildMissingInChunks();
        return hub.Read(view =>
        {
            // Unchanged hub, same list: a query over a quiet hub does not even walk the device table.
            if (_allTwins is null || _allTwinsVersion != hub.DeviceChangeCount)
            {
                _allTwins = BuildTwins(view);
                _allTwinsVersion = hub.DeviceChangeCount;
            }
            return After(_allTwins, afterKey);
        });
    }

    /// <summary>
    /// When many twins have no current document (the first query after a start or a bulk import), builds them a
    /// chunk per lock hold, so writers are not held up for the seconds 100,000 documents take. The snapshot itself
    /// is then taken in one hold and builds only what changed meanwhile.
    /// </summary>
    private void BuildMissingInChunks()
    {
        var missing = hub.Read(view => _allTwins is not null && _allTwinsVersion == hub.DeviceChangeCount
            ? []
            : view.Devices.Where(r => !_twins.TryGetValue(r.Identity.DeviceId, out var c) || !ReferenceEquals(c.Record, r)).ToList());
        if (missing.Count <= BuildChunk) return;
        foreach (var chunk in missing.Chunk(BuildChunk))
        {
            hub.Read(view =>
            {
                foreach (var record in chunk)
                {
                    // A record a writer replaced (or deleted) meanwhile is skipped; the snapshot builds the new one.
                    var id = record.Identity.DeviceId;
                    if (!ReferenceEquals(view.Find(id), record)) continue;
                    if (!_twins.TryGetValue(id, out var cached) || !ReferenceEquals(cached.Record, record))
                        _twins[id] = new CachedTwin(record, Built(record.Twin.ToServiceJson(record.Identity)));
                }
                return 0;
            });
        }
    }

    private List<QueryDocument> BuildTwins(IHubView view)
    {
        var result = new List<QueryDocument>(view.DeviceCount);
        foreach (var record in view.Devices)
        {
            var id = record.Identity.DeviceId;
            if (!_twins.TryGetValue(id, out var cached) || !ReferenceEquals(cached.Record, record))
            {
                cached = new CachedTwin(record, Built(record.Twin.ToServiceJson(record.Identity)));
                _twins[id] = cached;
            }
            result.Add(new QueryDocument(id, cached.Document));
        }
        if (_twins.Count > result.Count) ForgetDeleted(view);
        return result;
    }

    private void ForgetDeleted(IHubView view)
    {
        foreach (var id in _twins.Keys.Where(id => view.Find(id) is null).ToList()) _twins.Remove(id);
    }

    private static IReadOnlyList<QueryDocument> After(IReadOnlyList<QueryDocument> documents, string? afterKey)
    {
        if (afterKey is null) return documents;
        // Keys ascend, so the first key past afterKey is found by binary search.
        int low = 0, high = documents.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (string.CompareOrdinal(documents[mid].Key, afterKey) <= 0) low = mid + 1;
            else high = mid;
        }
        return low == 0 ? documents : new Tail(documents, low);
    }

    /// <summary>
    /// Reads every node once: parts cloned from stored JSON are filled in lazily on first read, and that must
    /// happen here, under the lock, not in concurrent queries later.
    /// </summary>
    private static JsonObject Built(JsonObject document)
    {
        Touch(document);
        return document;
    }

    private static void Touch(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj) Touch(child);
                break;
            case JsonArray array:
                foreach (var child in array) Touch(child);
                break;
        }
    }

    private sealed record CachedTwin(DeviceRecord Record, JsonObject Document);

    /// <summary>The documents of a list from an index on, without copying them.</summary>
    private sealed class Tail(IReadOnlyList<QueryDocument> documents, int start) : IReadOnlyList<QueryDocument>
    {
        public int Count => documents.Count - start;

        public QueryDocument this[int index] => (uint)index < (uint)Count ? documents[start + index] : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<QueryDocument> GetEnumerator()
        {
            for (var i = start; i < documents.Count; i++) yield return documents[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
