using System.Collections;

namespace IotLabKit.Service;

/// <summary>One page of query results, with the token to fetch the page after it.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class QueryResponse<T> : IReadOnlyList<T>
{
    private readonly IReadOnlyList<T> _items;

    /// <summary>Creates a page (for tests and fakes of <see cref="IQuery"/>).</summary>
    public QueryResponse(IEnumerable<T> collection, string? continuationToken)
        : this(collection?.ToList() ?? throw new ArgumentNullException(nameof(collection)), continuationToken, QueryResultType.Unknown)
    {
    }

    internal QueryResponse(IReadOnlyList<T> items, string? continuationToken, QueryResultType resultType)
    {
        _items = items;
        ContinuationToken = string.IsNullOrEmpty(continuationToken) ? null : continuationToken;
        ResultType = resultType;
    }

    /// <summary>The token for the next page; null on the last page.</summary>
    public string? ContinuationToken { get; }

    /// <summary>What the hub said the items are.</summary>
    public QueryResultType ResultType { get; }

    /// <summary>The number of items on this page.</summary>
    public int Count => _items.Count;

    /// <summary>An item of this page.</summary>
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"{Count} {ResultType} item(s){(ContinuationToken is null ? "" : ", more to come")}";
}
