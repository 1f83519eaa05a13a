using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;

namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// Reads a hub's telemetry through its Event Hubs-compatible endpoint with Microsoft's unmodified
/// <see cref="EventHubConsumerClient"/> — so the same code reads the emulator and a real hub — one reader per
/// partition, merged into one stream in arrival order.
/// </summary>
internal sealed class EventHubTelemetryReader : IAsyncDisposable
{
    // A few quick retries ride over a dropped connection, but a wrong address or key fails within seconds
    // instead of the client's default minute-long tries.
    private static readonly EventHubConsumerClientOptions ClientOptions = new()
    {
        RetryOptions = new EventHubsRetryOptions
        {
            MaximumRetries = 2,
            Delay = TimeSpan.FromMilliseconds(500),
            MaximumDelay = TimeSpan.FromSeconds(5),
            TryTimeout = TimeSpan.FromSeconds(20),
        },
    };

    private readonly EventHubConsumerClient _client;

    /// <summary>Creates the client; throws <see cref="ArgumentException"/> or <see cref="FormatException"/> for a malformed connection string.</summary>
    public EventHubTelemetryReader(string consumerGroup, string eventHubConnectionString)
        => _client = new EventHubConsumerClient(consumerGroup, eventHubConnectionString, ClientOptions);

    /// <summary>The event hub's name (the IoT hub's, on its built-in endpoint).</summary>
    public string EventHubName => _client.EventHubName;

    /// <summary>The endpoint's host.</summary>
    public string Host => _client.FullyQualifiedNamespace;

    /// <summary>The endpoint's partition ids, or just <paramref name="only"/> after checking that it is one of them.</summary>
    public async Task<string[]> GetPartitionIdsAsync(string? only, CancellationToken cancellationToken)
    {
        var all = await _client.GetPartitionIdsAsync(cancellationToken).ConfigureAwait(false);
        if (only is null) return all;
        if (all.Contains(only)) return [only];
        throw new PartitionNotFoundException($"The event hub '{EventHubName}' has no partition '{only}'; its partitions are {string.Join(", ", all)}.");
    }

    /// <summary>
    /// Streams the events of <paramref name="partitions"/> that <paramref name="accept"/> keeps, from
    /// <paramref name="start"/> (<paramref name="startedAt"/> is when Latest began). With <paramref name="untilCaughtUp"/> each partition stops once it has delivered the
    /// last event it held when reading began; otherwise it streams until cancelled.
    /// </summary>
    public async IAsyncEnumerable<PartitionEvent> ReadAsync(IReadOnlyList<string> partitions, TelemetryStartPosition start, DateTimeOffset startedAt,
        bool untilCaughtUp, Func<EventData, bool> accept, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var merged = Channel.CreateBounded<PartitionEvent>(new BoundedChannelOptions(1000) { SingleReader = true });
        var readers = partitions.Select(p => ReadPartitionAsync(p, start, startedAt, untilCaughtUp, accept, merged.Writer, stop.Token)).ToArray();
        // The first partition's failure as the client threw it (GetBaseException would dig out the AMQP cause beneath it).
        _ = Task.WhenAll(readers).ContinueWith(t => merged.Writer.TryComplete(t.Exception?.Flatten().InnerExceptions[0]), TaskScheduler.Default);
        try
        {
            await foreach (var partitionEvent in merged.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return partitionEvent;
        }
        finally
        {
            // The caller stopped early (-Count) or failed: end every partition reader before the client closes.
            await stop.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(readers).ConfigureAwait(false); }
            catch (Exception) { /* already reported through the channel, or cancelled on purpose */ }
        }
    }

    private async Task ReadPartitionAsync(string partition, TelemetryStartPosition start, DateTimeOffset startedAt, bool untilCaughtUp, Func<EventData, bool> accept,
        ChannelWriter<PartitionEvent> output, CancellationToken cancellationToken)
    {
        long? lastAtStart = null;
        if (untilCaughtUp)
        {
            var properties = await _client.GetPartitionPropertiesAsync(partition, cancellationToken).ConfigureAwait(false);
            if (NothingToCatchUp(properties, start)) return;
            lastAtStart = properties.LastEnqueuedSequenceNumber;
        }
        try
        {
            await foreach (var partitionEvent in _client.ReadEventsFromPartitionAsync(partition, start.ToEventPosition(startedAt), cancellationToken).ConfigureAwait(false))
            {
                if (partitionEvent.Data is not { } data) continue;
                if (accept(data)) await output.WriteAsync(partitionEvent, cancellationToken).ConfigureAwait(false);
                if (data.SequenceNumber >= lastAtStart) return;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped on purpose: -Count reached, -Timeout passed, or Ctrl+C.
        }
    }

    /// <summary>True when the partition holds nothing at or after <paramref name="start"/>, so catching up is immediate.</summary>
    private static bool NothingToCatchUp(PartitionProperties properties, TelemetryStartPosition start)
    {
        if (properties.IsEmpty) return true;
        if (start.EnqueuedTime is { } time) return properties.LastEnqueuedTime < time;
        if (start.Offset is { } offsetText
            && long.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            && long.TryParse(properties.LastEnqueuedOffsetString, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            return last <= offset;
        return false;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _client.DisposeAsync();
}

/// <summary>A partition was asked for that the event hub does not have.</summary>
public sealed class PartitionNotFoundException(string message) : Exception(message);
