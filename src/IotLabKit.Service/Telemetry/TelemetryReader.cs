using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using IotLabKit.Protocol;
using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// Reads the device-to-cloud telemetry of an <b>IotLabKit emulator</b>, as it arrives or from a point in the past.
/// This is an emulator extension (<c>GET /$iotlabkit/telemetry</c>): a real IoT hub serves telemetry only through its
/// Event Hubs-compatible endpoint over AMQP, which needs an Event Hubs client, so this reader refuses connection
/// strings without <c>UseDevelopmentEmulator=true</c>.
/// </summary>
public sealed class TelemetryReader : IDisposable, IAsyncDisposable
{
    private const string Path = "$iotlabkit/telemetry";
    private readonly IotHubHttpClient _http;
    private int _disposed;

    private TelemetryReader(IotHubHttpClient http) => _http = http;

    /// <summary>How long one request waits on the emulator for new messages before asking again.</summary>
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The most messages one request returns (1–1000).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>
    /// Creates a reader from the emulator's service connection string (any policy with ServiceConnect, such as
    /// <c>iothubowner</c> or <c>service</c>).
    /// </summary>
    /// <exception cref="ArgumentException">Malformed, or not a service connection string.</exception>
    /// <exception cref="NotSupportedException">The connection string is for a real hub (no <c>UseDevelopmentEmulator=true</c>).</exception>
    public static TelemetryReader CreateFromConnectionString(string connectionString, ServiceClientOptions? options = null)
    {
        var parsed = IotHubHttpClient.ParseServiceConnectionString(connectionString);
        if (!parsed.UseDevelopmentEmulator)
            throw new NotSupportedException(
                "TelemetryReader reads the IotLabKit emulator's telemetry (connection strings with UseDevelopmentEmulator=true). " +
                "A real IoT hub serves telemetry through its Event Hubs-compatible endpoint (Built-in endpoints in the portal); read it with an Event Hubs client.");
        return new TelemetryReader(new IotHubHttpClient(parsed, options ?? new ServiceClientOptions()));
    }

    /// <summary>
    /// Streams messages from every partition (or one), in the order the hub enqueued them per partition, waiting
    /// for new ones until <paramref name="cancellationToken"/> is cancelled. Nothing is skipped or repeated between
    /// requests: each continues where the previous answer ended.
    /// </summary>
    /// <param name="from">Where to start: <see cref="TelemetryStartPosition.Now"/>, <see cref="TelemetryStartPosition.Earliest"/> or an enqueued time.</param>
    /// <param name="partition">One partition to read, or null for all.</param>
    /// <param name="cancellationToken">Ends the stream (the enumeration then stops without an exception being thrown by this reader's own waiting).</param>
    public async IAsyncEnumerable<TelemetryMessage> ReadAsync(TelemetryStartPosition from, int? partition = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        string? cursor = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await FetchAsync(from, cursor, partition, PollWait, cancellationToken).ConfigureAwait(false);
            if (page is null) yield break;
            cursor = page.Cursor;
            foreach (var message in page.Messages) yield return message;
        }
    }

    /// <summary>
    /// Reads what is there now, without waiting: up to <see cref="BatchSize"/> messages from <paramref name="from"/>
    /// (or from <paramref name="cursor"/>, a value an earlier page returned), and the cursor to continue with.
    /// </summary>
    public async Task<TelemetryPage> ReadPageAsync(TelemetryStartPosition from, string? cursor = null, int? partition = null, CancellationToken cancellationToken = default)
        => await FetchAsync(from, cursor, partition, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)
           ?? throw new OperationCanceledException(cancellationToken);

    private async Task<TelemetryPage?> FetchAsync(TelemetryStartPosition from, string? cursor, int? partition, TimeSpan wait, CancellationToken cancellationToken)
    {
        var query = new List<string>
        {
            cursor is null ? "from=" + Uri.EscapeDataString(from.QueryValue) : "cursor=" + Uri.EscapeDataString(cursor),
            "maxCount=" + BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "waitSeconds=" + ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (partition is { } p) query.Add("partition=" + p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        IotHubResponse response;
        try
        {
            response = await _http.SendAsync(new IotHubRequest(HttpMethod.Get, Path)
            {
                Query = string.Join("&", query),
                Timeout = wait + TimeSpan.FromSeconds(30),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        WirePage wire;
        try { wire = JsonSerializer.Deserialize<WirePage>(response.Body, WireOptions) ?? throw new JsonException("empty"); }
        catch (JsonException ex) { throw new IotHubException($"The emulator's telemetry answer could not be read: {ex.Message}", ex); }
        return new TelemetryPage(wire.Cursor ?? "", wire.PartitionCount, (wire.Messages ?? []).Select(m => new TelemetryMessage
        {
            DeviceId = m.DeviceId ?? "",
            ModuleId = m.ModuleId,
            Partition = m.Partition,
            SequenceNumber = m.SequenceNumber,
            Offset = m.Offset ?? "",
            EnqueuedTimeUtc = m.EnqueuedTimeUtc,
            Body = m.Body is null ? [] : Convert.FromBase64String(m.Body),
            Properties = m.Properties ?? new Dictionary<string, string?>(),
            SystemProperties = m.SystemProperties ?? new Dictionary<string, string>(),
        }).ToList());
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

    private static readonly JsonSerializerOptions WireOptions = new() { PropertyNameCaseInsensitive = true };

    private sealed class WirePage
    {
        [JsonPropertyName("partitionCount")] public int PartitionCount { get; set; }
        [JsonPropertyName("cursor")] public string? Cursor { get; set; }
        [JsonPropertyName("messages")] public List<WireMessage>? Messages { get; set; }
    }

    private sealed class WireMessage
    {
        [JsonPropertyName("partition")] public int Partition { get; set; }
        [JsonPropertyName("sequenceNumber")] public long SequenceNumber { get; set; }
        [JsonPropertyName("offset")] public string? Offset { get; set; }
        [JsonPropertyName("enqueuedTimeUtc")] public DateTimeOffset EnqueuedTimeUtc { get; set; }
        [JsonPropertyName("deviceId")] public string? DeviceId { get; set; }
        [JsonPropertyName("moduleId")] public string? ModuleId { get; set; }
        [JsonPropertyName("systemProperties")] public Dictionary<string, string>? SystemProperties { get; set; }
        [JsonPropertyName("properties")] public Dictionary<string, string?>? Properties { get; set; }
        [JsonPropertyName("body")] public string? Body { get; set; }
    }
}

/// <summary>One answer of the telemetry read path.</summary>
/// <param name="Cursor">Where the next read continues (pass it to <see cref="TelemetryReader.ReadPageAsync"/>).</param>
/// <param name="PartitionCount">The hub's partition count.</param>
/// <param name="Messages">The messages, in enqueued order.</param>
public sealed record TelemetryPage(string Cursor, int PartitionCount, IReadOnlyList<TelemetryMessage> Messages);
