using System.Management.Automation;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Hub;

/// <summary>
/// Stops the emulator this session started: stops the session's simulated devices, asks the emulator to shut down,
/// and kills it if it has not exited in time.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "IotHubEmulator", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class StopIotHubEmulatorCommand : IotLabKitCmdlet
{
    /// <summary>Seconds to wait for a graceful exit before the process is killed (default 10).</summary>
    [Parameter]
    [ValidateRange(0, 600)]
    public int TimeoutSec { get; set; } = 10;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var emulator = HubSession.Emulator;
        if (emulator is null)
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "NotRunning", ErrorCategory.ObjectNotFound,
                "This session has not started an emulator (Start-IotHubEmulator starts one).", null));
            return;
        }
        if (!ShouldProcess($"emulator process {emulator.Id}", "Stop the IoT Hub emulator")) return;
        // Simulated devices would otherwise keep trying to reconnect to the stopped emulator in the background.
        Simulation.SimulationSession.StopAll(TimeSpan.FromSeconds(TimeoutSec));
        if (HubSession.IsConnectedTo(emulator)) HubSession.Disconnect();
        var wasRunning = !emulator.HasExited;
        var graceful = emulator.Stop(TimeSpan.FromSeconds(TimeoutSec));
        HubSession.SetEmulator(null);
        if (wasRunning && !graceful) WriteVerbose($"The emulator (process {emulator.Id}) did not exit within {TimeoutSec} s and was killed.");
        else WriteVerbose($"The emulator (process {emulator.Id}) stopped.");
    }
}
