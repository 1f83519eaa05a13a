using System.Text.Json.Nodes;

namespace IotLabKit.Service;

/// <summary>
/// A query over twins, device jobs or jobs, read page by page — shaped like Microsoft's <c>IQuery</c>. Call a
/// <c>GetNextAs…Async</c> method while <see cref="HasMoreResults"/> is true (or use
/// <see cref="QueryExtensions.ReadAllAsync{T}(IQuery, CancellationToken)"/>). The typed methods check what the hub
/// says the page holds: asking a projection (<c>SELECT deviceId …</c>) for twins is an
/// <see cref="InvalidOperationException"/>, and the query stays where it was, so the same page can be read again
/// with the right method. One query is one cursor: do not read it from several threads at once.
/// </summary>
public interface IQuery
{
    /// <summary>True before the first page, and afterwards while the hub gave a continuation token.</summary>
    bool HasMoreResults { get; }

    /// <summary>The token for the next page, as the last page gave it; null before the first page and after the last.</summary>
    string? ContinuationToken { get; }

    /// <summary>Fetches the next page as twins.</summary>
    /// <exception cref="InvalidOperationException">The page holds something else (see <see cref="QueryResponse{T}.ResultType"/>).</exception>
    Task<QueryResponse<Twin>> GetNextAsTwinAsync(CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page as twins, from the options' continuation token when it has one.</summary>
    /// <exception cref="InvalidOperationException">The page holds something else.</exception>
    Task<QueryResponse<Twin>> GetNextAsTwinAsync(QueryOptions? options, CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page as per-device job runs (<c>SELECT * FROM devices.jobs</c>).</summary>
    /// <exception cref="InvalidOperationException">The page holds something else.</exception>
    Task<QueryResponse<DeviceJob>> GetNextAsDeviceJobAsync(CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page as per-device job runs, from the options' continuation token when it has one.</summary>
    /// <exception cref="InvalidOperationException">The page holds something else.</exception>
    Task<QueryResponse<DeviceJob>> GetNextAsDeviceJobAsync(QueryOptions? options, CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page as jobs (the job query of <see cref="JobClient"/>).</summary>
    /// <exception cref="InvalidOperationException">The page holds something else.</exception>
    Task<QueryResponse<JobResponse>> GetNextAsJobResponseAsync(CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page as jobs, from the options' continuation token when it has one.</summary>
    /// <exception cref="InvalidOperationException">The page holds something else.</exception>
    Task<QueryResponse<JobResponse>> GetNextAsJobResponseAsync(QueryOptions? options, CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page, whatever it holds, each item as its JSON text.</summary>
    Task<QueryResponse<string>> GetNextAsJsonAsync(CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page as JSON texts, from the options' continuation token when it has one.</summary>
    Task<QueryResponse<string>> GetNextAsJsonAsync(QueryOptions? options, CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page, whatever it holds, each item parsed (objects for twins, jobs and projections).</summary>
    Task<QueryResponse<JsonNode?>> GetNextAsJsonNodeAsync(CancellationToken cancellationToken = default);

    /// <summary>Fetches the next page as parsed JSON, from the options' continuation token when it has one.</summary>
    Task<QueryResponse<JsonNode?>> GetNextAsJsonNodeAsync(QueryOptions? options, CancellationToken cancellationToken = default);
}
