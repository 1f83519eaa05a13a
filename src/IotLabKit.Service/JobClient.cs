using IotLabKit.Service.Serialization;
using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// Scheduled jobs of an IoT hub (jobs v2: twin updates and direct methods on many devices at once), over its REST
/// API — shaped like Microsoft's <c>Microsoft.Azure.Devices.JobClient</c>, and working unchanged against a real hub
/// or the IotLabKit emulator. One instance keeps one pool of keep-alive connections; create it once and reuse it.
/// </summary>
public sealed class JobClient : IDisposable, IAsyncDisposable
{
    private readonly IotHubHttpClient _http;
    private int _disposed;

    private JobClient(IotHubHttpClient http)
    {
        _http = http;
    }

    /// <summary>The hub's host name (port included when the connection string gives one).</summary>
    public string HostName => _http.HostName;

    /// <summary>
    /// Creates a job client from a service connection string (<c>HostName=…;SharedAccessKeyName=…;SharedAccessKey=…</c>).
    /// With <c>UseDevelopmentEmulator=true</c> it trusts only the emulator's CA.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed or is not a service connection string.</exception>
    /// <exception cref="FileNotFoundException">UseDevelopmentEmulator=true and no emulator CA certificate was found.</exception>
    public static JobClient CreateFromConnectionString(string connectionString, ServiceClientOptions? options = null)
        => new(IotHubHttpClient.FromConnectionString(connectionString, options));

    /// <summary>Does nothing: the client connects on demand. Kept so code written for Microsoft's client runs.</summary>
    public Task OpenAsync() => Task.CompletedTask;

    /// <summary>Does nothing: call <see cref="Dispose"/> to release connections. Kept so code written for Microsoft's client runs.</summary>
    public Task CloseAsync() => Task.CompletedTask;

    /// <summary>Reads a job.</summary>
    /// <exception cref="JobNotFoundException">There is no such job (the hub keeps jobs for 30 days).</exception>
    public Task<JobResponse> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ValidateJobId(jobId);
        return _http.SendAsync<JobResponse>(HttpMethod.Get, JobPath(jobId), null, null, null, cancellationToken);
    }

    /// <summary>Cancels a job; devices it has not reached yet are left alone.</summary>
    /// <returns>The job after the cancellation.</returns>
    /// <exception cref="JobNotFoundException">There is no such job.</exception>
    public Task<JobResponse> CancelJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ValidateJobId(jobId);
        return _http.SendAsync<JobResponse>(HttpMethod.Post, JobPath(jobId) + "/cancel", null, null, null, cancellationToken);
    }

    /// <summary>Schedules a direct method on every device that matches a condition.</summary>
    /// <param name="jobId">A new job id.</param>
    /// <param name="queryCondition">A WHERE condition over twins (<c>deviceId IN ['d1','d2']</c>, <c>tags.site = 'x'</c>), or <c>*</c>.</param>
    /// <param name="cloudToDeviceMethod">The method, its payload and timeouts.</param>
    /// <param name="startTimeUtc">When to start (UTC; a local time is converted).</param>
    /// <param name="maxExecutionTimeInSeconds">How long the job may run; 0 for the hub's default.</param>
    /// <param name="cancellationToken">Cancels the call (not the job).</param>
    /// <returns>The job as created.</returns>
    /// <exception cref="ArgumentException">An argument is empty or out of range.</exception>
    /// <exception cref="ThrottlingException">The hub already runs as many jobs as it allows.</exception>
    public Task<JobResponse> ScheduleDeviceMethodAsync(string jobId, string queryCondition, CloudToDeviceMethod cloudToDeviceMethod, DateTime startTimeUtc, long maxExecutionTimeInSeconds, CancellationToken cancellationToken = default)
        => CreateJobAsync(jobId, JobRequest.ForMethod(jobId, queryCondition, cloudToDeviceMethod, startTimeUtc, maxExecutionTimeInSeconds), cancellationToken);

    /// <summary>
    /// Schedules a twin update (tags and desired properties of <paramref name="twin"/>) on every device that matches
    /// a condition. The update is unconditional: the job sends <c>"etag":"*"</c>, whatever the twin carries.
    /// </summary>
    /// <param name="jobId">A new job id.</param>
    /// <param name="queryCondition">A WHERE condition over twins, or <c>*</c>.</param>
    /// <param name="twin">The patch: its tags and desired properties (nulls delete).</param>
    /// <param name="startTimeUtc">When to start (UTC; a local time is converted).</param>
    /// <param name="maxExecutionTimeInSeconds">How long the job may run; 0 for the hub's default.</param>
    /// <param name="cancellationToken">Cancels the call (not the job).</param>
    /// <returns>The job as created.</returns>
    /// <exception cref="ArgumentException">An argument is empty or out of range, or the patch changes nothing.</exception>
    /// <exception cref="ThrottlingException">The hub already runs as many jobs as it allows.</exception>
    public Task<JobResponse> ScheduleTwinUpdateAsync(string jobId, string queryCondition, Twin twin, DateTime startTimeUtc, long maxExecutionTimeInSeconds, CancellationToken cancellationToken = default)
        => CreateJobAsync(jobId, JobRequest.ForTwin(jobId, queryCondition, twin, startTimeUtc, maxExecutionTimeInSeconds), cancellationToken);

    /// <summary>A query over all jobs, newest first as the hub orders them. Nothing is sent until the first page is asked for.</summary>
    /// <param name="pageSize">Jobs per page, or null for the hub's default.</param>
    public IQuery CreateQuery(int? pageSize = null) => CreateQuery(null, null, pageSize);

    /// <summary>A query over jobs of a type and/or status (read it with <see cref="IQuery.GetNextAsJobResponseAsync(CancellationToken)"/>).</summary>
    /// <param name="jobType">Only jobs of this type, or null for all.</param>
    /// <param name="jobStatus">Only jobs in this status, or null for all.</param>
    /// <param name="pageSize">Jobs per page, or null for the hub's default.</param>
    /// <exception cref="ArgumentOutOfRangeException">The page size is below 1.</exception>
    public IQuery CreateQuery(JobType? jobType, JobStatus? jobStatus, int? pageSize = null)
    {
        var filters = new List<string>(2);
        if (jobType is { } type) filters.Add("jobType=" + Uri.EscapeDataString(WireEnumConverter<JobType>.ToWireString(type)));
        if (jobStatus is { } status) filters.Add("jobStatus=" + Uri.EscapeDataString(WireEnumConverter<JobStatus>.ToWireString(status)));
        var request = new IotHubRequest(HttpMethod.Get, "jobs/v2/query") { Query = filters.Count == 0 ? null : string.Join("&", filters) };
        return new PagedQuery(_http, request, pageSize);
    }

    private Task<JobResponse> CreateJobAsync(string jobId, string body, CancellationToken cancellationToken)
        => _http.SendAsync<JobResponse>(HttpMethod.Put, JobPath(jobId), null, body, null, cancellationToken);

    private static string JobPath(string jobId) => "jobs/v2/" + Uri.EscapeDataString(jobId);

    /// <summary>Job ids are the hub's to judge; the client only refuses what cannot be one.</summary>
    internal static void ValidateJobId(string? jobId)
    {
        if (string.IsNullOrWhiteSpace(jobId)) throw new ArgumentException("The job id is empty.", nameof(jobId));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _http.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"JobClient({HostName})";
}
