using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Configurations;

/// <summary>
/// Gets automatic device configurations — one by id, several by wildcard, or all — with their system metrics
/// (targeted, applied) and custom metrics as of the hub's last evaluation.
/// </summary>
[Cmdlet(VerbsCommon.Get, "AutoConfiguration")]
[OutputType(AutoConfigurationInfo.TypeName)]
public sealed class GetAutoConfigurationCommand : HubCmdlet
{
    /// <summary>The hub's limit on configurations, so one read lists them all.</summary>
    private const int MaxConfigurations = 100;

    /// <summary>The configuration id; wildcards (* ? [ ]) select several. Leave out for every configuration.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConfigurationIdCompleter))]
    [Alias("ConfigurationId", "Name")]
    public string[]? Id { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Id is null)
        {
            WriteAll(null);
            return;
        }
        foreach (var id in Id)
        {
            if (WildcardPattern.ContainsWildcardCharacters(id))
            {
                WriteAll(new WildcardPattern(id, WildcardOptions.IgnoreCase));
                continue;
            }
            try
            {
                var configuration = Await(ct => Registry.GetConfigurationAsync(id, ct));
                if (configuration is null) WriteError(NotFound(CommandId, id));
                else WriteObject(AutoConfigurationInfo.From(configuration));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, id);
            }
        }
    }

    /// <summary>The error for a configuration that does not exist.</summary>
    internal static ErrorRecord NotFound(string command, string id)
        => Errors.ErrorRecordFactory.Create(command, "NotFound", ErrorCategory.ObjectNotFound,
            $"The configuration '{id}' does not exist in the hub.", id, recommendedAction: "Get-AutoConfiguration lists the configurations there are.");

    private void WriteAll(WildcardPattern? pattern)
    {
        IEnumerable<Configuration> all;
        try { all = Await(ct => Registry.GetConfigurationsAsync(MaxConfigurations, ct)); }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, null);
            return;
        }
        foreach (var configuration in all.Where(c => pattern is null || pattern.IsMatch(c.Id)).OrderBy(c => c.Id, StringComparer.Ordinal))
            WriteObject(AutoConfigurationInfo.From(configuration));
    }
}
