using System.Diagnostics;
using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// Streams device-to-cloud telemetry as it arrives — from now, from the earliest message the hub retains, or from a
/// time — until -Count messages came, -Timeout passed, or Ctrl+C. Emulator only: it reads the emulator's telemetry
/// read path; a real hub serves telemetry through its Event Hubs-compatible endpoint over AMQP.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "IotTelemetry", DefaultParameterSetName = NowSet)]
[OutputType(typeof(TelemetryRecord))]
public sealed class ReceiveIotTelemetryCommand : HubCmdlet
{
    private const string NowSet = "Now";
    private const string EarliestSet = "Earliest";
    private const string SinceSet = "Since";
    private readonly List<WildcardPattern> _devices = [];

    /// <summary>Only messages from these devices (wildcards allowed). Omit it for every device.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string[]? DeviceId { get; set; }

    /// <summary>Starts with the oldest message the hub retains (a day by default), then goes on with new ones.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EarliestSet)]
    public SwitchParameter FromEarliest { get; set; }

    /// <summary>Starts with the messages the hub enqueued at or after this time, then goes on with new ones.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SinceSet)]
    public DateTime Since { get; set; }

    /// <summary>Stops after this many messages (that pass the -DeviceId filter).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Count { get; set; }

    /// <summary>Stops after this long (a number means seconds). Without it, and without -Count, it runs until Ctrl+C.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Reads only this partition of the hub's telemetry (0 to the partition count − 1).</summary>
    [Parameter]
    [ValidateRange(0, 31)]
    public int? Partition { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var id in DeviceId ?? []) _devices.Add(new WildcardPattern(id, WildcardOptions.IgnoreCase));
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (Timeout is { } limit && limit <= TimeSpan.Zero)
            Fail("InvalidTimeout", ErrorCategory.InvalidArgument, $"-Timeout must be positive, not {limit}.", limit);
        TelemetryReader reader;
        try
        {
            reader = TelemetryReader.CreateFromConnectionString(Connection.ConnectionString.ToString(),
                new ServiceClientOptions { CaCertificatePath = Connection.CaCertificatePath });
        }
        catch (NotSupportedException ex)
        {
            Fail("NotSupported", ErrorCategory.NotImplemented,
                "Receive-IotTelemetry reads the IotLabKit emulator's telemetry only. A real IoT hub serves telemetry through its Event Hubs-compatible endpoint (Built-in endpoints in the portal); read it with an Event Hubs client or az iot hub monitor-events.",
                Connection.HostName, ex);
            return;
        }
        using (reader)
        {
            var from = ParameterSetName switch
            {
                EarliestSet => TelemetryStartPosition.Earliest,
                SinceSet => TelemetryStartPosition.FromEnqueuedTime(Since.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(Since, DateTimeKind.Local) : Since),
                _ => TelemetryStartPosition.Now,
            };
            Receive(reader, from);
        }
    }

    private void Receive(TelemetryReader reader, TelemetryStartPosition from)
    {
        using var pump = new PipelinePump();
        var progress = new ProgressRecord(3, "Receive-IotTelemetry", "Waiting for telemetry");
        var received = 0;
        var timedOut = false;
        try
        {
            pump.Run(async ct =>
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (Timeout is { } timeout) limit.CancelAfter(timeout);
                var clock = Stopwatch.StartNew();
                using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
                _ = ShowProgressAsync(ticker, pump, progress, clock, () => Volatile.Read(ref received), limit.Token);
                await foreach (var message in reader.ReadAsync(from, Partition, limit.Token).ConfigureAwait(false))
                {
                    if (_devices.Count > 0 && !_devices.Any(p => p.IsMatch(message.DeviceId))) continue;
                    var record = TelemetryRecord.From(message);
                    pump.Post(() => WriteObject(record));
                    if (Interlocked.Increment(ref received) >= Count) break;
                }
                timedOut = Timeout is not null && limit.IsCancellationRequested && !ct.IsCancellationRequested;
                ct.ThrowIfCancellationRequested(); // Ctrl+C: stop the pipeline
                return true;
            }, CancelToken);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Connection.HostName);
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
