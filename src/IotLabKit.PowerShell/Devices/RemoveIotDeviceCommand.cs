using System.Management.Automation;
using IotLabKit.PowerShell.Completers;

namespace IotLabKit.PowerShell.Devices;

/// <summary>Deletes device identities (and their twins) from the hub's registry.</summary>
[Cmdlet(VerbsCommon.Remove, "IotDevice", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveIotDeviceCommand : HubCmdlet
{
    /// <summary>The device to delete.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string DeviceId { get; set; } = "";

    /// <summary>Deletes without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcessUnlessForced(Force, DeviceId, "Delete device and its twin")) return;
        try
        {
            Await(ct => Registry.RemoveDeviceAsync(DeviceId, ct));
            WriteVerbose($"Deleted device '{DeviceId}'.");
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
        }
    }
}
