using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.CloudToDevice;

/// <summary>
/// Empties devices' cloud-to-device queues (IoT Hub's purge, <c>DELETE /devices/{id}/commands</c>). Messages that
/// asked for negative feedback get a Purged record.
/// </summary>
/// <remarks>ConfirmImpact High: the messages are gone for good.</remarks>
[Cmdlet(VerbsCommon.Clear, "CloudToDeviceQueue", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PSObject))]
public sealed class ClearCloudToDeviceQueueCommand : HubCmdlet
{
    /// <summary>The PSTypeName of the output.</summary>
    public const string TypeName = "IotLabKit.CloudToDevicePurge";

    /// <summary>The device whose queue to empty.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string DeviceId { get; set; } = "";

    /// <summary>Do not ask for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcessUnlessForced(Force, DeviceId, "Delete every queued cloud-to-device message")) return;
        PurgeMessageQueueResult result;
        try { result = Await(ct => Connection.Service.PurgeMessageQueueAsync(DeviceId, ct)); }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
            return;
        }
        var output = new PSObject();
        output.Properties.Add(new PSNoteProperty("DeviceId", result.DeviceId ?? DeviceId));
        output.Properties.Add(new PSNoteProperty("TotalMessagesPurged", result.TotalMessagesPurged));
        output.TypeNames.Insert(0, TypeName);
        WriteObject(output);
    }
}
