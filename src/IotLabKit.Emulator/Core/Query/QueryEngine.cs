using System.Globalization;
using System.Text.Json.Nodes;
using IotLabKit.Query;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>
/// Runs IoT Hub queries (<c>POST /devices/query</c>) one page at a time over the hub's current state, with the
/// one query engine (<see cref="QueryParser"/>). Results reflect every write that returned before the page
/// was asked for.
/// </summary>
/// <remarks>
/// Paging: a row query (<c>SELECT *</c> or a projection) is evaluated afresh per page over the documents after
/// the last key sent, so a page costs one pass over the rest of the collection, holds nothing between pages,
/// and survives restarts; a document that existed through the whole paging appears exactly once, while one
/// created or deleted meanwhile may or may not. An aggregate or GROUP BY query is evaluated once and its rows
/// are paged from <see cref="AggregateCursors"/>.
/// </remarks>
public sealed class QueryEngine(HubQuerySource source, AggregateCursors cursors)
{
    /// <summary>The page size when the caller names none.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page; larger requests get this many.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// Reads a requested page size (<c>x-ms-max-item-count</c>): absent means <see cref="DefaultPageSize"/>, more
    /// than <see cref="MaxPageSize"/> means <see cref="MaxPageSize"/>, and anything but a whole number of at
    /// least 1 is <c>ArgumentInvalid</c>.
    /// </summary>
    public static int ReadPageSize(string? text)
    {
        if (text is null) return DefaultPageSize;
        var digits = text.Trim();
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            throw HubException.Invalid($"The page size (x-ms-max-item-count) '{Shorten(text)}' is not valid: give a whole number from 1 to {MaxPageSize}.");
        digits = digits.TrimStart('0');
        if (digits.Length == 0)
            throw HubException.Invalid($"The page size (x-ms-max-item-count) must be at least 1, not {text.Trim()}.");
        return digits.Length > 4 ? MaxPageSize : Math.Min(int.Parse(digits, CultureInfo.InvariantCulture), MaxPageSize);
    }

    /// <summary>
    /// Runs one page of <paramref name="queryText"/>. A query that does not parse, or a token that is not one this
    /// query returned, is <c>ArgumentInvalid</c> with a message that says where and why.
    /// </summary>
    /// <param name="queryText">The query.</param>
    /// <param name="pageSize">At most this many rows (clamped to 1…<see cref="MaxPageSize"/>).</param>
    /// <param name="continuationToken">The previous page's token; null or empty for the first page.</param>
    public QueryPage Run(string queryText, int pageSize, string? continuationToken)
    {
        ArgumentNullException.ThrowIfNull(queryText);
        IotHubQuery query;
        try { query = QueryParser.Parse(queryText); }
        catch (QueryException ex) { throw HubException.Invalid(ex.Message); }

        var continuation = string.IsNullOrEmpty(continuationToken) ? null : QueryContinuation.Decode(continuationToken, queryText);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var fingerprint = QueryContinuation.Fingerprint(queryText);
        return query.IsAggregate
            ? AggregatePage(query, fingerprint, pageSize, continuation)
            : RowPage(query, fingerprint, pageSize, continuation);
    }

    private QueryPage RowPage(IotHubQuery query, string fingerprint, int pageSize, QueryContinuation? continuation)
    {
        if (continuation is { AfterKey: null }) throw NotThisQuerysToken();
        var sent = continuation?.RowsSent ?? 0;
        var remaining = (query.Top ?? long.MaxValue) - sent;
        var itemType = query.ItemType.ToHeaderValue();
        if (remaining <= 0) return new QueryPage(itemType, [], null);

        var limit = (int)Math.Min(pageSize, remaining);
        var rows = new List<JsonNode>(Math.Min(limit, 128));
        string? lastKey = null;
        var more = false;
        foreach (var document in source.Snapshot(query.Collection, continuation?.AfterKey))
        {
            if (!query.TryGetRow(document.Document, out var row)) continue;
            if (rows.Count == limit)
            {
                // One match past the page: only now is it known that another page exists.
                more = rows.Count < remaining;
                break;
            }
            rows.Add(row);
            lastKey = document.Key;
        }
        var token = more
            ? new QueryContinuation { QueryFingerprint = fingerprint, AfterKey = lastKey, RowsSent = sent + rows.Count }.Encode()
            : null;
        return new QueryPage(itemType, rows, token);
    }

    private QueryPage AggregatePage(IotHubQuery query, string fingerprint, int pageSize, QueryContinuation? continuation)
    {
        if (continuation is { CursorId: null }) throw NotThisQuerysToken();
        var cursorId = continuation?.CursorId;
        var rows = cursorId is null ? null : cursors.Find(cursorId);
        if (rows is null)
        {
            // First page, or the cursor expired: evaluate now (later pages then come from a new cursor).
            cursorId = null;
            rows = query.Execute(source).Items;
        }
        var offset = (int)Math.Min(continuation?.RowsSent ?? 0, rows.Count);
        var count = Math.Min(pageSize, rows.Count - offset);
        var page = new JsonNode[count];
        for (var i = 0; i < count; i++) page[i] = rows[offset + i];

        string? token = null;
        if (offset + count < rows.Count)
        {
            cursorId ??= cursors.Add(rows);
            token = new QueryContinuation { QueryFingerprint = fingerprint, CursorId = cursorId, RowsSent = offset + count }.Encode();
        }
        return new QueryPage(query.ItemType.ToHeaderValue(), page, token);
    }

    private static HubException NotThisQuerysToken()
        => HubException.Invalid("The continuation token (x-ms-continuation) was not made for this query: send it with the same query text that returned it.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
