using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.Simulation;

namespace IotLabKit.PowerShell.Simulation;

/// <summary>
/// Gets the simulated devices running in this session. The objects are live: their properties (State,
/// ConnectionStatus, MessagesSent, LastMethod, FirmwareUpdateStatus, Log …) show what the device is doing when read.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SimulatedDevice")]
[OutputType(typeof(SimulatedDevice))]
public sealed class GetSimulatedDeviceCommand : IotLabKitCmdlet
{
    /// <summary>The device id; wildcards select several. Omit it to get every simulated device.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SimulatedDeviceIdCompleter))]
    [Alias("Id")]
    public string[]? DeviceId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var all = SimulationSession.All;
        if (DeviceId is null || DeviceId.Length == 0)
        {
            foreach (var device in all) WriteObject(SimulationSession.Output(device));
            return;
        }
        foreach (var id in DeviceId)
        {
            var pattern = new WildcardPattern(id, WildcardOptions.IgnoreCase);
            var found = WildcardPattern.ContainsWildcardCharacters(id)
                ? all.Where(d => pattern.IsMatch(d.DeviceId)).ToList()
                : all.Where(d => d.DeviceId == id).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(id))
            {
                WriteError(ErrorRecordFactory.Create(CommandId, "NotFound", ErrorCategory.ObjectNotFound,
                    $"No simulated device '{id}' runs in this session.", id,
                    recommendedAction: $"Start-SimulatedDevice {id} starts one."));
                continue;
            }
            foreach (var device in found) WriteObject(SimulationSession.Output(device));
        }
    }
}
