using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace IotLabKit.Service;

/// <summary>Reading every page of a query as one stream.</summary>
public static class QueryExtensions
{
    /// <summary>
    /// Streams every item of the query, fetching pages as they are needed: stop early and no further page is
    /// fetched. <typeparamref name="T"/> picks the reader: <see cref="Twin"/>, <see cref="DeviceJob"/>,
    /// <see cref="JobResponse"/> (checked against the page's item type), <see cref="string"/> (each item's JSON
    /// text) or <see cref="JsonNode"/> (parsed; any item type). Another type is refused at the call, before anything
    /// is sent.
    /// </summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of those.</exception>
    public static IAsyncEnumerable<T> ReadAllAsync<T>(this IQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadItemsAsync(query, PageReader<T>(query), cancellationToken);
    }

    /// <summary>Streams the query's remaining pages; <typeparamref name="T"/> as in <see cref="ReadAllAsync{T}(IQuery, CancellationToken)"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported item type.</exception>
    public static IAsyncEnumerable<QueryResponse<T>> ReadPagesAsync<T>(this IQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadPagesAsync(query, PageReader<T>(query), cancellationToken);
    }

    private static async IAsyncEnumerable<T> ReadItemsAsync<T>(IQuery query, Func<CancellationToken, Task<QueryResponse<T>>> next, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in ReadPagesAsync(query, next, cancellationToken).ConfigureAwait(false))
            foreach (var item in page)
                yield return item;
    }

    private static async IAsyncEnumerable<QueryResponse<T>> ReadPagesAsync<T>(IQuery query, Func<CancellationToken, Task<QueryResponse<T>>> next, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (query.HasMoreResults)
            yield return await next(cancellationToken).ConfigureAwait(false);
    }

    private static Func<CancellationToken, Task<QueryResponse<T>>> PageReader<T>(IQuery query)
    {
        // The casts are identities: each branch runs only when T is that very type.
        if (typeof(T) == typeof(Twin)) return async ct => (QueryResponse<T>)(object)await query.GetNextAsTwinAsync(ct).ConfigureAwait(false);
        if (typeof(T) == typeof(DeviceJob)) return async ct => (QueryResponse<T>)(object)await query.GetNextAsDeviceJobAsync(ct).ConfigureAwait(false);
        if (typeof(T) == typeof(JobResponse)) return async ct => (QueryResponse<T>)(object)await query.GetNextAsJobResponseAsync(ct).ConfigureAwait(false);
        if (typeof(T) == typeof(string)) return async ct => (QueryResponse<T>)(object)await query.GetNextAsJsonAsync(ct).ConfigureAwait(false);
        if (typeof(T) == typeof(JsonNode)) return async ct => (QueryResponse<T>)(object)await query.GetNextAsJsonNodeAsync(ct).ConfigureAwait(false);
        throw new NotSupportedException(
            $"A query cannot be read as {typeof(T).Name}; use Twin, DeviceJob, JobResponse, string (JSON text) or JsonNode.");
    }
}
