using System.Collections;
using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Configurations;

/// <summary>
/// Changes what an automatic device configuration may change — its target condition, priority, custom metrics and
/// labels — and returns it. Its content is fixed once created (create a new configuration for new content). Only
/// changes the configuration if nobody else did since it was read (-ETag, or the one read just before), unless -Force.
/// </summary>
[Cmdlet(VerbsCommon.Set, "AutoConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(AutoConfigurationInfo.TypeName)]
public sealed class SetAutoConfigurationCommand : HubCmdlet
{
    /// <summary>The configuration to change.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ConfigurationIdCompleter))]
    [Alias("ConfigurationId", "Name")]
    public string Id { get; set; } = "";

    /// <summary>The new target condition (a WHERE condition over device twins, or * for every device).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Target")]
    public string? TargetCondition { get; set; }

    /// <summary>The new priority (0 or more).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Priority { get; set; }

    /// <summary>Custom metrics to add or change (name → query); a name set to $null removes that metric. Others stay.</summary>
    [Parameter]
    public IDictionary? Metric { get; set; }

    /// <summary>Labels to add or change (name → value); a name set to $null removes that label. Others stay.</summary>
    [Parameter]
    public IDictionary? Label { get; set; }

    /// <summary>
    /// Only change the configuration if its ETag still is this one (Get-AutoConfiguration shows it; piping binds it).
    /// Without it, the ETag read just before the change is used.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ETag { get; set; }

    /// <summary>Changes the configuration whatever its ETag (overwrites someone else's change).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (TargetCondition is null && Priority is null && Metric is null && Label is null)
        {
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "NothingToChange", ErrorCategory.InvalidArgument,
                "Nothing to change: give -TargetCondition, -Priority, -Metric or -Label (a configuration's content cannot change).",
                Id, recommendedAction: "Set-AutoConfiguration -Id firmwareupdate -Priority 20"));
            return;
        }
        try
        {
            var configuration = Await(ct => Registry.GetConfigurationAsync(Id, ct));
            if (configuration is null)
            {
                WriteError(GetAutoConfigurationCommand.NotFound(CommandId, Id));
                return;
            }
            var etag = Force ? "*" : ETag ?? configuration.ETag ?? "*";
            var changes = Apply(configuration);
            if (!ShouldProcess($"configuration '{Id}'", "Set " + string.Join(", ", changes))) return;
            configuration.ETag = etag;
            WriteObject(AutoConfigurationInfo.From(Await(ct => Registry.UpdateConfigurationAsync(configuration, forceUpdate: etag == "*", ct))));
        }
        catch (ArgumentException ex)
        {
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "InvalidArgument", ErrorCategory.InvalidArgument, ex.Message, Id, ex));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Id);
        }
    }

    private List<string> Apply(Configuration configuration)
    {
        var changes = new List<string>();
        if (TargetCondition is not null)
        {
            configuration.TargetCondition = TargetCondition;
            changes.Add($"target condition to {TargetCondition}");
        }
        if (Priority is { } priority)
        {
            configuration.Priority = priority;
            changes.Add($"priority to {priority}");
        }
        if (Metric is not null)
        {
            foreach (var (name, query) in ConfigurationInput.Map(Metric, "-Metric", allowNull: true))
            {
                if (query is null) configuration.Metrics.Queries.Remove(name);
                else configuration.Metrics.Queries[name] = query;
                changes.Add(query is null ? $"remove metric {name}" : $"metric {name} to {query}");
            }
        }
        if (Label is not null)
        {
            foreach (var (name, value) in ConfigurationInput.Map(Label, "-Label", allowNull: true))
            {
                if (value is null) configuration.Labels.Remove(name);
                else configuration.Labels[name] = value;
                changes.Add(value is null ? $"remove label {name}" : $"label {name} to {value}");
            }
        }
        return changes;
    }
}
