using System.Management.Automation;
using System.Security;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Session;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Devices;

/// <summary>The key a device connection string is built from.</summary>
public enum DeviceKeyType
{
    /// <summary>The device's primary key.</summary>
    Primary,
    /// <summary>The device's secondary key.</summary>
    Secondary,
}

/// <summary>
/// Gets a device's connection string (HostName, DeviceId, SharedAccessKey) as a SecureString, or as text with
/// -AsPlainText. For the emulator it carries UseDevelopmentEmulator=true so IotLabKit clients trust its certificate.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IotDeviceConnectionString")]
[OutputType(typeof(SecureString), typeof(string))]
public sealed class GetIotDeviceConnectionStringCommand : HubCmdlet
{
    /// <summary>The device.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string DeviceId { get; set; } = "";

    /// <summary>Which key to use: Primary (default) or Secondary.</summary>
    [Parameter]
    public DeviceKeyType KeyType { get; set; } = DeviceKeyType.Primary;

    /// <summary>Returns plain text instead of a SecureString. The text contains the device's key.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        try
        {
            var device = Await(ct => Registry.GetDeviceAsync(DeviceId, ct));
            if (device is null)
            {
                WriteError(ErrorRecordFactory.DeviceNotFound(CommandId, DeviceId));
                return;
            }
            var text = DeviceConnectionStrings.Build(Connection, device, secondary: KeyType == DeviceKeyType.Secondary);
            if (text is null)
            {
                WriteError(ErrorRecordFactory.Create(CommandId, "NoSymmetricKey", ErrorCategory.InvalidOperation,
                    $"The device '{DeviceId}' authenticates with {device.Authentication?.Type}, not a symmetric key, so it has no key connection string.",
                    DeviceId));
                return;
            }
            WriteObject(SecretText.Output(text, AsPlainText));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, DeviceId);
        }
    }
}
