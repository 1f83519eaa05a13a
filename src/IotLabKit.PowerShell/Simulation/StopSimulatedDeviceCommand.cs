using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.Simulation;

namespace IotLabKit.PowerShell.Simulation;

/// <summary>
/// Stops simulated devices: each finishes what it is doing, disconnects cleanly (the hub shows it Disconnected) and
/// leaves the session. The device identities stay in the registry.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "SimulatedDevice", SupportsShouldProcess = true, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(SimulatedDevice))]
public sealed class StopSimulatedDeviceCommand : IotLabKitCmdlet
{
    private const string ByIdSet = "ById";
    private const string AllSet = "All";
    private readonly List<SimulatedDevice> _toStop = [];

    /// <summary>The device id; wildcards select several.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SimulatedDeviceIdCompleter))]
    [Alias("Id")]
    public string[] DeviceId { get; set; } = [];

    /// <summary>Stops every simulated device of the session.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>Returns the stopped devices (for example to pipe them to Remove-IotDevice).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (All)
        {
            _toStop.AddRange(SimulationSession.All.Where(d => !_toStop.Contains(d)));
            return;
        }
        var all = SimulationSession.All;
        foreach (var id in DeviceId)
        {
            var wildcard = WildcardPattern.ContainsWildcardCharacters(id);
            var pattern = new WildcardPattern(id, WildcardOptions.IgnoreCase);
            var found = all.Where(d => wildcard ? pattern.IsMatch(d.DeviceId) : d.DeviceId == id).ToList();
            if (found.Count == 0 && !wildcard)
            {
                WriteError(ErrorRecordFactory.Create(CommandId, "NotFound", ErrorCategory.ObjectNotFound,
                    $"No simulated device '{id}' runs in this session.", id));
                continue;
            }
            _toStop.AddRange(found.Where(d => !_toStop.Contains(d)));
        }
    }

    /// <summary>Stops them all together, so a fleet stops in the time of one device.</summary>
    protected override void EndProcessing()
    {
        var chosen = _toStop.Where(d => ShouldProcess(d.DeviceId, "Stop simulated device")).ToList();
        if (chosen.Count == 0) return;
        using var pump = new PipelinePump();
        var progress = new ProgressRecord(1, "Stop-SimulatedDevice", $"Stopping {chosen.Count} simulated device(s)");
        pump.Run(async ct =>
        {
            var done = 0;
            await Task.WhenAll(chosen.Select(async device =>
            {
                SimulationSession.Remove(device);
                await device.StopAsync(ct).ConfigureAwait(false);
                var n = Interlocked.Increment(ref done);
                if (chosen.Count > 1)
                    pump.Post(() =>
                    {
                        progress.PercentComplete = n * 100 / chosen.Count;
                        progress.StatusDescription = $"Stopped {n} of {chosen.Count}";
                        WriteProgress(progress);
                    });
            })).ConfigureAwait(false);
            return true;
        }, CancelToken);
        if (chosen.Count > 1)
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
        foreach (var device in chosen)
        {
            WriteVerbose($"The simulated device '{device.DeviceId}' stopped ({device.MessagesSent} messages sent).");
            if (PassThru) WriteObject(SimulationSession.Output(device));
        }
    }
}
