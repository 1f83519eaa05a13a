namespace IotLabKit.Service;

/// <summary>Options for fetching one page of a query.</summary>
public sealed class QueryOptions
{
    /// <summary>
    /// Where to continue: a <see cref="QueryResponse{T}.ContinuationToken"/> kept from an earlier page (even of
    /// another <see cref="IQuery"/> with the same text). Null or empty continues where this query stands.
    /// </summary>
    public string? ContinuationToken { get; set; }
}
