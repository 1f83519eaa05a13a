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

    /// <summary>
    /// The documents of <paramref name="collection"/> whose key is greater than <paramref name="afterKey"/>
    /// (all of them when null), in key order, as they are now.
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

    private List<QueryDocument> SnapshotTwins(string? afterKey) => hub.Read(view =>
    {
        var result = new List<QueryDocument>(afterKey is null ? view.DeviceCount : 0);
        foreach (var record in view.Devices)
        {
            var id = record.Identity.DeviceId;
            if (afterKey is not null && string.CompareOrdinal(id, afterKey) <= 0) continue;
            if (!_twins.TryGetValue(id, out var cached) || !ReferenceEquals(cached.Record, record))
            {
                cached = new CachedTwin(record, Built(record.Twin.ToServiceJson(record.Identity)));
                _twins[id] = cached;
            }
            result.Add(new QueryDocument(id, cached.Document));
        }
        if (_twins.Count > view.DeviceCount) ForgetDeleted(view);
        return result;
    });

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
        return low == 0 ? documents : documents.Skip(low).ToList();
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
}
