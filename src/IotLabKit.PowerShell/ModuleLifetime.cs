using System.Management.Automation;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell;

/// <summary>
/// On Remove-Module, stops the lab scripts still running (background jobs included) and the simulated devices, closes the hub connection and stops the emulator this session
/// started, so no orphan process or background device outlives the module that could manage it.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        IotLabKit.Labs.Scripting.LabScriptRegistry.StopAll(TimeSpan.FromSeconds(10));
        Simulation.SimulationSession.StopAll(TimeSpan.FromSeconds(10));
        HubSession.Disconnect();
        var emulator = HubSession.Emulator;
        HubSession.SetEmulator(null);
        emulator?.Stop(TimeSpan.FromSeconds(5));
    }
}
