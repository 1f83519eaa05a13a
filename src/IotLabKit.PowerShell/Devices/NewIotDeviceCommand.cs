using System.Management.Automation;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Devices;

/// <summary>
/// Creates device identities in the hub's registry. Takes input by property name, so
/// <c>Import-Csv devices.csv | New-IotDevice</c> creates one device per row.
/// </summary>
[Cmdlet(VerbsCommon.New, "IotDevice", SupportsShouldProcess = true)]
[OutputType(typeof(DeviceInfo))]
public sealed class NewIotDeviceCommand : HubCmdlet
{
    /// <summary>The new device's id (case-sensitive; letters, digits and -.%_*?!(),:=@$' up to 128 characters).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id", "Name")]
    public string DeviceId { get; set; } = "";

    /// <summary>Enabled (default) or Disabled; a disabled device cannot connect.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DeviceStatus Status { get; set; } = DeviceStatus.Enabled;

    /// <summary>Why the status is what it is (free text).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? StatusReason { get; set; }

    /// <summary>The primary symmetric key (base64); the hub generates one when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PrimaryKey { get; set; }

    /// <summary>The secondary symmetric key (base64); the hub generates one when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? SecondaryKey { get; set; }

    /// <summary>Makes the device an IoT Edge device.</summary>
    [Parameter]
    public SwitchParameter EdgeEnabled { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(DeviceId, "Create device")) return;
        var device = new Device(DeviceId)
        {
            Status = Status,
            StatusReason = StatusReason,
            Authentication = new AuthenticationMechanism
            {
                Type = AuthenticationType.Sas,
                SymmetricKey = new SymmetricKey { PrimaryKey = PrimaryKey, SecondaryKey = SecondaryKey },
            },
            Capabilities = new DeviceCapabilities { IotEdge = EdgeEnabled },
        };
        try
        {
            var created = Await(ct => Registry.AddDeviceAsync(device, ct));
            WriteObject(DeviceInfo.From(created));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
        }
    }
}
