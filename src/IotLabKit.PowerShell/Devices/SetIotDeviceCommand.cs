using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Devices;

/// <summary>
/// Changes a device identity's status (enable or disable it) and status reason. With -ETag the change only
/// applies if nobody changed the device since that ETag was read; without it the change is unconditional.
/// </summary>
[Cmdlet(VerbsCommon.Set, "IotDevice", SupportsShouldProcess = true)]
[OutputType(typeof(DeviceInfo))]
public sealed class SetIotDeviceCommand : HubCmdlet
{
    /// <summary>The device to change.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string DeviceId { get; set; } = "";

    /// <summary>Enabled or Disabled; a disabled device cannot connect.</summary>
    [Parameter]
    public DeviceStatus? Status { get; set; }

    /// <summary>Why the status is what it is (free text); an empty string clears it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? StatusReason { get; set; }

    /// <summary>Only change the device if its ETag still is this one (optimistic concurrency).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ETag { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Status is null && StatusReason is null)
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "NothingToChange", ErrorCategory.InvalidArgument,
                "Give -Status and/or -StatusReason to change.", DeviceId));
            return;
        }
        try
        {
            var device = Await(ct => Registry.GetDeviceAsync(DeviceId, ct));
            if (device is null)
            {
                WriteError(ErrorRecordFactory.DeviceNotFound(CommandId, DeviceId));
                return;
            }
            var action = Status is { } s ? $"Set status to {s}" : "Set status reason";
            if (!ShouldProcess(DeviceId, action)) return;
            if (Status is { } status) device.Status = status;
            if (StatusReason is not null) device.StatusReason = StatusReason;
            if (ETag is not null) device.ETag = ETag;
            var updated = Await(ct => Registry.UpdateDeviceAsync(device, forceUpdate: ETag is null, ct));
            WriteObject(DeviceInfo.From(updated));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
        }
    }
}
