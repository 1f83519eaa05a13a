using System.Text.Json;
using IotLabKit.Query;
using QueryCollection = IotLabKit.Query.QueryCollection;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>
/// The documents queries run over, taken from the hub's state at the moment of the call: twins exactly as
/// <c>GET /twins/{id}</c> shows them, module twins (none yet: the hub has no modules), and per-device job
/// documents from the <see cref="IDeviceJobSource"/>.
/// </summary>
/// <remarks>
/// A twin's document is its record's <see cref="DeviceRecord.ServiceDocument"/>, built once when the record was
/// written and immutable: there is no cache here and no second copy, so a query over 100,000 unchanged twins only
/// lists them, and queries read them outside the hub lock, several at once. The lock is held only to list them.
/// </remarks>
public sealed class HubQuerySource(HubState hub, IDeviceJobSource deviceJobs) : IQuerySource
{
    // The last full list of twin documents and the hub's change count it was built at (guarded by the hub lock).
    // Handed out as it is: never changed after it is built.
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
    public IEnumerable<JsonElement> GetDocuments(QueryCollection collection)
        => Snapshot(collection).Select(d => d.Document);

    private IReadOnlyList<QueryDocument> SnapshotTwins(string? afterKey)
        => hub.Read(view =>
        {
            // Unchanged hub, same list: a query over a quiet hub does not even walk the device table.
            if (_allTwins is null || _allTwinsVersion != hub.DeviceChangeCount)
            {
                var list = new List<QueryDocument>(view.DeviceCount);
                foreach (var record in view.Devices) list.Add(new QueryDocument(record.Identity.DeviceId, record.ServiceDocument));
                _allTwins = list;
                _allTwinsVersion = hub.DeviceChangeCount;
            }
            return After(_allTwins, afterKey);
        });

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
