using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Devices;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Twins;

/// <summary>
/// Gets device twins: tags, desired and reported properties with their <c>$version</c> and <c>$metadata</c>.
/// Takes device ids from the pipeline, so <c>Get-IotDevice | Get-Twin</c> gets every twin.
/// </summary>
[Cmdlet(VerbsCommon.Get, "Twin")]
[OutputType(TwinView.TypeName)]
public sealed class GetTwinCommand : HubCmdlet
{
    /// <summary>The device whose twin to get; wildcards (* ? [ ]) select several.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DeviceIdCompleter))]
    [Alias("Id")]
    public string[] DeviceId { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var id in DeviceId)
        {
            try
            {
                if (WildcardPattern.ContainsWildcardCharacters(id))
                {
                    var pattern = new WildcardPattern(id, WildcardOptions.IgnoreCase);
                    var devices = Await(ct => Registry.GetDevicesAsync(GetIotDeviceCommand.ListLimit, ct));
                    foreach (var match in devices.Where(d => pattern.IsMatch(d.Id)).OrderBy(d => d.Id, StringComparer.OrdinalIgnoreCase))
                        WriteTwin(match.Id);
                }
                else
                {
                    WriteTwin(id);
                }
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, id);
            }
        }
    }

    private void WriteTwin(string id)
    {
        Twin? twin;
        try { twin = Await(ct => Registry.GetTwinAsync(id, ct)); }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, id);
            return;
        }
        if (twin is null) WriteError(ErrorRecordFactory.DeviceNotFound(CommandId, id));
        else WriteObject(TwinView.From(twin));
    }
}
