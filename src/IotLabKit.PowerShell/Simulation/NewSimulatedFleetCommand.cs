using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Twins;
using IotLabKit.Simulation;

namespace IotLabKit.PowerShell.Simulation;

/// <summary>
/// Creates N devices named Prefix1…PrefixN (zero-padded: sim-001…sim-100), sets their twin tags, and starts a
/// simulated device for each — the at-scale demos of Module 8 (target a configuration or a job at the fleet by its
/// tags). Devices that already exist are reused and re-tagged, so running it again is harmless.
/// </summary>
[Cmdlet(VerbsCommon.New, "SimulatedFleet", SupportsShouldProcess = true)]
[OutputType(typeof(SimulatedDevice))]
public sealed class NewSimulatedFleetCommand : SimulationCmdlet
{
    /// <summary>How many devices connect and register at the same time.</summary>
    private const int Parallelism = 8;

    /// <summary>How many devices (1 to 10,000).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateRange(1, 10000)]
    public int Count { get; set; }

    /// <summary>The start of every device id (default "simdevice-"); a number follows it.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Prefix { get; set; } = "simdevice-";

    /// <summary>
    /// Twin tags for every device: a hashtable, PSCustomObject or JSON object; dotted keys are paths
    /// (@{ 'customer.name' = 'Lewis' } is { customer: { name: 'Lewis' } }).
    /// </summary>
    [Parameter]
    public object? Tags { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        JsonObject? tags = null;
        if (Tags is not null)
        {
            try { tags = TwinPatchBuilder.Build(Tags); }
            catch (ArgumentException ex) { Fail("InvalidTags", ErrorCategory.InvalidArgument, ex.Message.Replace("-Properties", "-Tags", StringComparison.Ordinal), Tags, ex); }
        }
        var width = Count.ToString(CultureInfo.InvariantCulture).Length;
        var ids = Enumerable.Range(1, Count).Select(i => Prefix + i.ToString("D" + width, CultureInfo.InvariantCulture)).ToList();
        var fresh = new List<string>();
        foreach (var id in ids)
        {
            if (IsRunning(id))
                WriteError(ErrorRecordFactory.Create(CommandId, "AlreadyRunning", ErrorCategory.ResourceExists,
                    $"The device '{id}' is already simulated in this session; it is left as it is.", id));
            else fresh.Add(id);
        }
        if (fresh.Count == 0) return;
        var target = fresh.Count == 1 ? fresh[0] : $"{fresh.Count} devices {fresh[0]} … {fresh[^1]}";
        if (!ShouldProcess(target, "Create (if absent), tag and start simulated devices")) return;

        var body = tags is null ? null : new JsonObject { ["tags"] = tags }.ToJsonString();
        using var pump = new PipelinePump();
        var started = pump.Run(ct => RunAsync(fresh, body, pump, ct), CancelToken);
        foreach (var device in started) WriteObject(SimulationSession.Output(device));
    }

    private async Task<List<SimulatedDevice>> RunAsync(List<string> ids, string? tagsPatch, PipelinePump pump, CancellationToken cancellationToken)
    {
        var progress = new ProgressRecord(1, $"New-SimulatedFleet ({ids.Count} devices)", "Creating devices");
        var registered = new ConcurrentDictionary<string, Service.Device>(StringComparer.Ordinal);
        await ForEachAsync(ids, "Registering and tagging", progress, pump, async (id, ct) =>
        {
            var device = await Registry.GetDeviceAsync(id, ct).ConfigureAwait(false)
                         ?? await Registry.AddDeviceAsync(new Service.Device(id), ct).ConfigureAwait(false);
            if (tagsPatch is not null) await Registry.UpdateTwinAsync(id, tagsPatch, "*", ct).ConfigureAwait(false);
            registered[id] = device;
        }, cancellationToken).ConfigureAwait(false);

        var started = new ConcurrentDictionary<string, SimulatedDevice>(StringComparer.Ordinal);
        var toStart = ids.Where(registered.ContainsKey).ToList();
        var position = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        await ForEachAsync(toStart, "Starting simulated devices", progress, pump, async (id, ct) =>
        {
            started[id] = await StartAsync(Connection, registered[id], DeviceOptions(position[id]), ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        pump.Post(() =>
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        });
        return ids.Where(started.ContainsKey).Select(id => started[id]).ToList();
    }

    /// <summary>Runs <paramref name="step"/> for every id, a few at a time; a failure is reported for its device and the others go on.</summary>
    private async Task ForEachAsync(List<string> ids, string phase, ProgressRecord progress, PipelinePump pump,
        Func<string, CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        var done = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            try
            {
                await step(id, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                pump.Post(() => WriteFailure(ex, id));
            }
            var n = Interlocked.Increment(ref done);
            pump.Post(() =>
            {
                progress.StatusDescription = $"{phase}: {n} of {ids.Count}";
                progress.PercentComplete = n * 100 / ids.Count;
                WriteProgress(progress);
            });
        }).ConfigureAwait(false);
    }
}
