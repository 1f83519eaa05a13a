using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Configurations;

/// <summary>
/// Deletes automatic device configurations. The values they wrote stay in the twins; at the next evaluation the
/// next-priority configuration that targets a twin applies, and the twin's status entry for the deleted one goes.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "AutoConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveAutoConfigurationCommand : HubCmdlet
{
    /// <summary>The configuration to delete.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ConfigurationIdCompleter))]
    [Alias("ConfigurationId", "Name")]
    public string Id { get; set; } = "";

    /// <summary>Only delete it if its ETag still is this one (piping from Get-AutoConfiguration binds it).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ETag { get; set; }

    /// <summary>Deletes without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcessUnlessForced(Force, $"configuration '{Id}'", "Delete the automatic device configuration (values it wrote stay in the twins)")) return;
        try
        {
            if (ETag is null) Await(ct => Registry.RemoveConfigurationAsync(Id, ct));
            else Await(ct => Registry.RemoveConfigurationAsync(new Configuration(Id) { ETag = ETag }, ct));
            WriteVerbose($"Deleted configuration '{Id}'.");
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Id);
        }
    }
}
