using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Devices;

/// <summary>Gets device identities: one by id, those matching a wildcard, or all of them.</summary>
[Cmdlet(VerbsCommon.Get, "IotDevice")]
[OutputType(typeof(DeviceInfo))]
public sealed class GetIotDeviceCommand : HubCmdlet
{
    /// <summary>The most devices one listing returns (IoT Hub's page limit).</summary>
    internal const int ListLimit = 1000;

    /// <summary>The device id; wildcards (* ? [ ]) select several. Omit it to get every device.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string[]? DeviceId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (DeviceId is null || DeviceId.Length == 0)
        {
            try
            {
                foreach (var device in ListAll()) WriteObject(DeviceInfo.From(device));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, null);
            }
            return;
        }
        foreach (var id in DeviceId)
        {
            try
            {
                if (WildcardPattern.ContainsWildcardCharacters(id))
                {
                    var pattern = new WildcardPattern(id, WildcardOptions.IgnoreCase);
                    foreach (var device in ListAll().Where(d => pattern.IsMatch(d.Id))) WriteObject(DeviceInfo.From(device));
                    continue;
                }
                var found = Await(ct => Registry.GetDeviceAsync(id, ct));
                if (found is null) WriteError(ErrorRecordFactory.DeviceNotFound(CommandId, id));
                else WriteObject(DeviceInfo.From(found));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, id);
            }
        }
    }

    private List<Device> ListAll()
    {
        var devices = Await(ct => Registry.GetDevicesAsync(ListLimit, ct)).OrderBy(d => d.Id, StringComparer.OrdinalIgnoreCase).ToList();
        if (devices.Count >= ListLimit)
            WriteWarning($"The hub returned its maximum of {ListLimit} devices; there may be more.");
        return devices;
    }
}
