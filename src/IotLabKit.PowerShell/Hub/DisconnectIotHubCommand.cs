using System.Management.Automation;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Hub;

/// <summary>Forgets the session's hub connection. An emulator started by the session keeps running.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "IotHub")]
[OutputType(typeof(void))]
public sealed class DisconnectIotHubCommand : IotLabKitCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var old = HubSession.Disconnect();
        WriteVerbose(old is null ? "The session was not connected." : $"Disconnected from {old.HostName}.");
    }
}
