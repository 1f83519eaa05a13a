using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Service.Serialization;
using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// The one cursor behind every query (<c>POST /devices/query</c>, <c>GET /jobs/v2/query</c>): sends the paging
/// headers, reads the page (a JSON array), its item type and its continuation token.
/// </summary>
internal sealed class PagedQuery : IQuery
{
    internal const string ContinuationHeader = "x-ms-continuation";
    internal const string MaxItemCountHeader = "x-ms-max-item-count";
    internal const string ItemTypeHeader = "x-ms-item-type";

    private readonly IotHubHttpClient _http;
    private readonly IotHubRequest _request;
    private readonly int? _pageSize;
    private string? _continuation;
    private bool _started;

    /// <param name="http">The plumbing to send with.</param>
    /// <param name="request">The query's request; paging headers are added to it per page.</param>
    /// <param name="pageSize">Items per page (<c>x-ms-max-item-count</c>), or null for the hub's default.</param>
    public PagedQuery(IotHubHttpClient http, IotHubRequest request, int? pageSize)
    {
        if (pageSize is < 1) throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "The page size must be at least 1 (or null for the hub's default).");
        _http = http;
        _request = request;
        _pageSize = pageSize;
    }

    public bool HasMoreResults => !_started || _continuation is not null;

    public string? ContinuationToken => _continuation;

    public Task<QueryResponse<Twin>> GetNextAsTwinAsync(CancellationToken cancellationToken = default)
        => GetNextAsTwinAsync(null, cancellationToken);

    public Task<QueryResponse<Twin>> GetNextAsTwinAsync(QueryOptions? options, CancellationToken cancellationToken = default)
        => NextAsync(QueryResultType.Twin, Deserialize<Twin>, options, cancellationToken);

    public Task<QueryResponse<DeviceJob>> GetNextAsDeviceJobAsync(CancellationToken cancellationToken = default)
        => GetNextAsDeviceJobAsync(null, cancellationToken);

    public Task<QueryResponse<DeviceJob>> GetNextAsDeviceJobAsync(QueryOptions? options, CancellationToken cancellationToken = default)
        => NextAsync(QueryResultType.DeviceJob, Deserialize<DeviceJob>, options, cancellationToken);

    public Task<QueryResponse<JobResponse>> GetNextAsJobResponseAsync(CancellationToken cancellationToken = default)
        => GetNextAsJobResponseAsync(null, cancellationToken);

    public Task<QueryResponse<JobResponse>> GetNextAsJobResponseAsync(QueryOptions? options, CancellationToken cancellationToken = default)
        => NextAsync(QueryResultType.JobResponse, Deserialize<JobResponse>, options, cancellationToken);

    public Task<QueryResponse<string>> GetNextAsJsonAsync(CancellationToken cancellationToken = default)
        => GetNextAsJsonAsync(null, cancellationToken);

    public Task<QueryResponse<string>> GetNextAsJsonAsync(QueryOptions? options, CancellationToken cancellationToken = default)
        => NextAsync(null, e => e.GetRawText(), options, cancellationToken);

    public Task<QueryResponse<JsonNode?>> GetNextAsJsonNodeAsync(CancellationToken cancellationToken = default)
        => GetNextAsJsonNodeAsync(null, cancellationToken);

    public Task<QueryResponse<JsonNode?>> GetNextAsJsonNodeAsync(QueryOptions? options, CancellationToken cancellationToken = default)
        => NextAsync(null, e => JsonNode.Parse(e.GetRawText()), options, cancellationToken);

    /// <summary>The method that reads pages of a given type, for messages.</summary>
    internal static string MethodFor(QueryResultType type) => type switch
    {
        QueryResultType.Twin => nameof(GetNextAsTwinAsync),
        QueryResultType.DeviceJob => nameof(GetNextAsDeviceJobAsync),
        QueryResultType.JobResponse => nameof(GetNextAsJobResponseAsync),
        _ => nameof(GetNextAsJsonAsync) + " or " + nameof(GetNextAsJsonNodeAsync),
    };

    /// <summary>Reads <c>x-ms-item-type</c> (C# spells it <c>Twin</c>, the swagger <c>twin</c>; either is fine).</summary>
    internal static QueryResultType ParseItemType(string? header)
        => Enum.TryParse<QueryResultType>(header?.Trim(), ignoreCase: true, out var type) && type != QueryResultType.Unknown && Enum.IsDefined(type)
            ? type
            : QueryResultType.Unknown;

    private async Task<QueryResponse<T>> NextAsync<T>(QueryResultType? expected, Func<JsonElement, T> convert, QueryOptions? options, CancellationToken cancellationToken)
    {
        if (!HasMoreResults) return new QueryResponse<T>([], null, QueryResultType.Unknown);

        var token = string.IsNullOrEmpty(options?.ContinuationToken) ? _continuation : options.ContinuationToken;
        var headers = new List<KeyValuePair<string, string>>(2);
        if (_pageSize is { } size) headers.Add(new(MaxItemCountHeader, size.ToString(CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(token)) headers.Add(new(ContinuationHeader, token));
        var response = await _http.SendAsync(_request with { Headers = headers }, cancellationToken).ConfigureAwait(false);

        var typeHeader = response.Header(ItemTypeHeader);
        var type = ParseItemType(typeHeader);
        if (expected is { } wanted && type != wanted) throw Mismatch(wanted, type, typeHeader);
        var items = ReadItems(response.Body, convert);
        var next = response.Header(ContinuationHeader);
        if (string.IsNullOrEmpty(next)) next = null;
        if (next is not null && next == token && items.Count == 0)
            throw new IotHubException($"The hub answered {Describe()} with no items and the same continuation token it was given; stopping rather than asking for the same page forever.");

        // Only a page that was read moves the cursor, so after a failure the same page can be asked for again.
        _continuation = next;
        _started = true;
        return new QueryResponse<T>(items, next, type);
    }

    private List<T> ReadItems<T>(string body, Func<JsonElement, T> convert)
    {
        if (string.IsNullOrWhiteSpace(body)) return [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new IotHubException($"The hub's answer to {Describe()} is not JSON: {ex.Message}", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new IotHubException($"The hub's answer to {Describe()} is a JSON {document.RootElement.ValueKind}, not the array of items a query page is.");
            var items = new List<T>(document.RootElement.GetArrayLength());
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                try
                {
                    items.Add(convert(element));
                }
                catch (JsonException ex)
                {
                    throw new IotHubException($"Item {index} of the hub's answer to {Describe()} could not be read as {typeof(T).Name}: {ex.Message}", ex);
                }
                index++;
            }
            return items;
        }
    }

    private static T Deserialize<T>(JsonElement element)
        => element.Deserialize<T>(ServiceJson.Options) ?? throw new JsonException("The item is null.");

    private InvalidOperationException Mismatch(QueryResultType wanted, QueryResultType actual, string? header)
    {
        var what = header is null
            ? "the hub did not say what it holds (no x-ms-item-type header)"
            : $"it holds {(actual == QueryResultType.Unknown ? $"'{header}'" : actual.ToString())} items";
        return new InvalidOperationException(
            $"The query page is not {wanted} items: {what}. Read this query with {MethodFor(actual)}; the query has not moved, so the same page can be read again.");
    }

    private string Describe() => $"{_request.Method} /{_request.Path}";
}
