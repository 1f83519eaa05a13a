using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.Simulation;

namespace IotLabKit.PowerShell.Simulation;

/// <summary>
/// Starts simulated devices in the background of this PowerShell session: each connects as an existing device of
/// the hub (or one it creates with -Create) and plays the course's device-management patterns until
/// Stop-SimulatedDevice, Stop-IotHubEmulator or the end of the session.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "SimulatedDevice", SupportsShouldProcess = true)]
[OutputType(typeof(SimulatedDevice))]
public sealed class StartSimulatedDeviceCommand : SimulationCmdlet
{
    /// <summary>The device to simulate; it must exist in the registry unless -Create is given.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string[] DeviceId { get; set; } = [];

    /// <summary>Creates the device in the registry when it does not exist.</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var id in DeviceId)
        {
            try
            {
                StartOne(id);
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, id);
            }
        }
    }

    private void StartOne(string id)
    {
        if (IsRunning(id))
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "AlreadyRunning", ErrorCategory.ResourceExists,
                $"The device '{id}' is already simulated in this session.", id,
                recommendedAction: $"Get-SimulatedDevice {id} shows it; Stop-SimulatedDevice {id} stops it."));
            return;
        }
        var device = Await(ct => Registry.GetDeviceAsync(id, ct));
        if (device is null)
        {
            if (!Create)
            {
                WriteError(ErrorRecordFactory.Create(CommandId, "NotFound", ErrorCategory.ObjectNotFound,
                    $"The device '{id}' does not exist in the hub.", id,
                    recommendedAction: "Add -Create to create it, or create it first with New-IotDevice."));
                return;
            }
            if (!ShouldProcess(id, "Create device")) return;
            device = Await(ct => Registry.AddDeviceAsync(new Service.Device(id), ct));
        }
        if (!ShouldProcess(id, $"Start simulated device ({Behavior})")) return;
        var options = DeviceOptions();
        var simulated = Await(ct => StartAsync(Connection, device, options, ct));
        WriteVerbose($"The simulated device '{id}' is up (seed {simulated.Seed}).");
        WriteObject(SimulationSession.Output(simulated));
    }
}
