using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>
/// The results of aggregate and GROUP BY queries that did not fit on one page, kept for a while so the later
/// pages come from the same evaluation (consistent, and not re-counted over every twin per page). Bounded in
/// number and time; a page asked for after its cursor was dropped is served by evaluating the query again.
/// </summary>
public sealed class AggregateCursors(TimeProvider clock)
{
    /// <summary>How long a cursor lives after its last page was read.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>How many cursors are kept at most; the least recently read goes first.</summary>
    public const int Capacity = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Keeps <paramref name="rows"/> and returns the cursor's id.</summary>
    public string Add(IReadOnlyList<JsonNode> rows)
    {
        var id = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            Expire(now);
            if (_entries.Count >= Capacity)
                _entries.Remove(_entries.MinBy(e => e.Value.LastRead).Key);
            _entries[id] = new Entry(rows, now);
        }
        return id;
    }

    /// <summary>The rows of a live cursor (and keeps it alive), or null when it is unknown or expired.</summary>
    public IReadOnlyList<JsonNode>? Find(string id)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            Expire(now);
            if (!_entries.TryGetValue(id, out var entry)) return null;
            _entries[id] = entry with { LastRead = now };
            return entry.Rows;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        foreach (var (id, entry) in _entries)
            if (now - entry.LastRead > Lifetime) _entries.Remove(id);
    }

    private sealed record Entry(IReadOnlyList<JsonNode> Rows, DateTimeOffset LastRead);
}
