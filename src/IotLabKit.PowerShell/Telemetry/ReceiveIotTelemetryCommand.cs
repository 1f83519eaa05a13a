using System.Diagnostics;
using System.Management.Automation;
using System.Security;
using Azure.Messaging.EventHubs;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// Reads device-to-cloud telemetry from a hub's built-in Event Hubs-compatible endpoint with Microsoft's
/// <c>EventHubConsumerClient</c> — the emulator's (from the session) or a real hub's (-EventHubConnectionString) —
/// from now, the earliest retained message, an enqueued time or an offset, until -Count messages came, -Timeout
/// passed, it caught up, or Ctrl+C.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "IotTelemetry")]
[OutputType(typeof(TelemetryRecord))]
public sealed class ReceiveIotTelemetryCommand : IotLabKitCmdlet
{
    private readonly List<WildcardPattern> _devices = [];

    /// <summary>Only messages from these devices (wildcards allowed). Omit it for every device.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string[]? DeviceId { get; set; }

    /// <summary>
    /// Where to start: Latest (default: messages enqueued from now on), Earliest (the oldest retained), a DateTime
    /// (messages enqueued at or after it), or an offset (a number: the messages after it; needs -Partition).
    /// </summary>
    [Parameter]
    [TelemetryStartPositionTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(StartPositionCompleter))]
    public TelemetryStartPosition StartPosition { get; set; } = TelemetryStartPosition.Latest;

    /// <summary>The Event Hubs-compatible connection string (string or SecureString); default: the session emulator's.</summary>
    [Parameter]
    [SecureStringTransformation]
    [ValidateNotNull]
    public SecureString? EventHubConnectionString { get; set; }

    /// <summary>The consumer group to read in (default <c>$Default</c>).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ConsumerGroupCompleter))]
    public string ConsumerGroup { get; set; } = "$Default";

    /// <summary>Reads only this partition (an id such as <c>0</c>). Omit it for every partition.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Partition { get; set; }

    /// <summary>Stops after this many messages (that pass the -DeviceId filter).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [Alias("First")]
    public int? Count { get; set; }

    /// <summary>Stops after this long (a number means seconds), returning what arrived.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Keeps reading new messages after catching up, until -Count, -Timeout or Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (Timeout is { } limit && limit <= TimeSpan.Zero)
            Fail("InvalidTimeout", ErrorCategory.InvalidArgument, $"-Timeout must be positive, not {limit}.", limit);
        if (StartPosition.Kind == TelemetryStartKind.Offset && Partition is null)
            Fail("OffsetNeedsPartition", ErrorCategory.InvalidArgument,
                $"An offset ({StartPosition.Offset}) belongs to one partition: give -Partition too (a record's Partition and Offset say where it is).",
                StartPosition);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var id in DeviceId ?? []) _devices.Add(new WildcardPattern(id, WildcardOptions.IgnoreCase));
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var connectionString = ResolveConnectionString();
        EventHubTelemetryReader reader;
        try { reader = new EventHubTelemetryReader(ConsumerGroup, connectionString); }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Fail("InvalidConnectionString", ErrorCategory.InvalidArgument,
                $"The Event Hubs-compatible connection string is not valid: {ex.Message}", null, ex,
                "Use the string the Azure portal shows under Hub settings > Built-in endpoints (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=…), or Get-IotHubEventHubConnectionString for the emulator.");
            return;
        }
        Receive(reader);
    }

    private string ResolveConnectionString()
    {
        if (EventHubConnectionString is not null) return SecretText.ToPlainText(EventHubConnectionString);
        var emulator = HubSession.Emulator;
        var current = HubSession.Current;
        if (emulator is { HasExited: false, Status.EventHubConnectionString: { Length: > 0 } emulatorString }
            && (current is null || HubSession.IsConnectedTo(emulator)))
            return emulatorString;
        if (current is null) ThrowTerminatingError(ErrorRecordFactory.NotConnected(CommandId));
        Fail("EventHubConnectionStringRequired", ErrorCategory.InvalidArgument,
            $"The session is connected to '{current!.HostName}', which this session did not start, so the connection string of its Event Hubs-compatible endpoint is not known.",
            current.HostName, recommendedAction:
            "Give -EventHubConnectionString: for a real hub from the Azure portal (Hub settings > Built-in endpoints) or 'az iot hub connection-string show --default-eventhub'; for an emulator from its status (eventHubConnectionString).");
        return "";
    }

    private void Receive(EventHubTelemetryReader reader)
    {
        using var pump = new PipelinePump();
        var progress = new ProgressRecord(3, "Receive-IotTelemetry", $"Reading telemetry ({ConsumerGroup})");
        var untilCaughtUp = !Wait && Count is null && Timeout is null && StartPosition.Kind != TelemetryStartKind.Latest;
        var startedAt = DateTimeOffset.UtcNow;
        var received = 0;
        var timedOut = false;
        try
        {
            pump.Run(async ct =>
            {
                await using (reader.ConfigureAwait(false))
                {
                    using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    if (Timeout is { } timeout) limit.CancelAfter(timeout);
                    var partitions = await reader.GetPartitionIdsAsync(Partition, limit.Token).ConfigureAwait(false);
                    pump.Post(() => WriteVerbose($"Reading {reader.EventHubName} on {reader.Host}, consumer group {ConsumerGroup}, partitions {string.Join(",", partitions)}, from {StartPosition}{(untilCaughtUp ? " until caught up" : "")}."));
                    var clock = Stopwatch.StartNew();
                    using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
                    _ = ShowProgressAsync(ticker, pump, progress, clock, () => Volatile.Read(ref received), limit.Token);
                    try
                    {
                        await foreach (var partitionEvent in reader.ReadAsync(partitions, StartPosition, startedAt, untilCaughtUp, IsWanted, limit.Token).ConfigureAwait(false))
                        {
                            var record = TelemetryRecord.From(partitionEvent);
                            pump.Post(() => WriteObject(record));
                            if (Interlocked.Increment(ref received) >= Count) break;
                        }
                    }
                    catch (OperationCanceledException) when (limit.IsCancellationRequested) { /* -Timeout or Ctrl+C */ }
                    timedOut = Timeout is not null && limit.IsCancellationRequested && !ct.IsCancellationRequested;
                    ct.ThrowIfCancellationRequested(); // Ctrl+C: stop the pipeline
                    return true;
                }
            }, CancelToken);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(ErrorRecordFactory.FromException(ex, CommandId, ConsumerGroup));
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
        if (timedOut && Count is { } wanted && received < wanted)
            WriteWarning($"Received {received} of {wanted} messages within {Timeout}.");
        WriteVerbose($"Received {received} message(s).");
    }

    private bool IsWanted(EventData data)
    {
        if (_devices.Count == 0) return true;
        var device = data.SystemProperties.TryGetValue(TelemetryRecord.DeviceIdProperty, out var id) ? id as string : null;
        return device is not null && _devices.Any(p => p.IsMatch(device));
    }

    /// <summary>Once a second, shows how many messages came and for how long it has listened.</summary>
    private async Task ShowProgressAsync(PeriodicTimer ticker, PipelinePump pump, ProgressRecord progress, Stopwatch clock,
        Func<int> received, CancellationToken cancellationToken)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var text = $"{received()} message(s) in {clock.Elapsed:hh\\:mm\\:ss}"
                    + (Timeout is { } limit ? $" of {limit:hh\\:mm\\:ss}" : "; Ctrl+C stops");
                var percent = Timeout is { } t ? (int)Math.Min(99, clock.Elapsed.TotalSeconds * 100 / t.TotalSeconds) : -1;
                pump.Post(() =>
                {
                    progress.StatusDescription = text;
                    progress.PercentComplete = percent;
                    WriteProgress(progress);
                });
            }
        }
        catch (OperationCanceledException) { /* listening ended */ }
    }
}
