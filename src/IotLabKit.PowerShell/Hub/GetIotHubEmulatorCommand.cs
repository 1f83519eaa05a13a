using System.Management.Automation;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Hub;

/// <summary>
/// Gets the state of the emulator this session started: process, ports, connection host, data folder, storage,
/// CA certificate, uptime, and its service connection string (SecureString unless -AsPlainText).
/// </summary>
[Cmdlet(VerbsCommon.Get, "IotHubEmulator")]
[OutputType(typeof(EmulatorInfo))]
public sealed class GetIotHubEmulatorCommand : IotLabKitCmdlet
{
    /// <summary>Returns the service connection string as plain text instead of a SecureString.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var emulator = HubSession.Emulator;
        if (emulator is null)
        {
            WriteVerbose("This session has not started an emulator.");
            return;
        }
        WriteObject(EmulatorInfo.From(emulator, AsPlainText));
    }
}
