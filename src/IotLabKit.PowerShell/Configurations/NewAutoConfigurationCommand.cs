using System.Collections;
using System.Management.Automation;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Configurations;

/// <summary>
/// Creates an automatic device configuration: desired properties the hub writes into every device twin that matches
/// a target condition (the highest priority winning where configurations overlap), with custom metrics that count
/// how it goes. The hub applies it shortly after, then re-evaluates on its schedule.
/// </summary>
[Cmdlet(VerbsCommon.New, "AutoConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(AutoConfigurationInfo.TypeName)]
public sealed class NewAutoConfigurationCommand : HubCmdlet
{
    /// <summary>The new configuration's id: up to 128 lowercase letters, digits and - : + % _ # * ? ! ( ) , = @ ; '.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("ConfigurationId", "Name")]
    public string Id { get; set; } = "";

    /// <summary>
    /// Which device twins it targets: a condition on tags, reported properties or the device id
    /// (deviceId='sensor-th-0155', tags.environment='test'), or * for every device.
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Target")]
    public string TargetCondition { get; set; } = "";

    /// <summary>
    /// What it writes into each targeted twin: a hashtable keyed by twin path ('properties.desired.firmware' = @{…}),
    /// or the desired properties themselves (@{ firmware = @{…} }, meaning under properties.desired); a
    /// PSCustomObject or JSON text works too. Dotted keys are paths; $null removes a property from the twins.
    /// </summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("Content", "Desired")]
    public object DesiredProperties { get; set; } = null!;

    /// <summary>Which configuration wins where two write the same path: the higher (0 or more; default 0). On a tie the newer one wins.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, int.MaxValue)]
    public int Priority { get; set; }

    /// <summary>Custom metrics (up to five): name → query, such as @{ fwupdated = "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'" }.</summary>
    [Parameter]
    public IDictionary? Metric { get; set; }

    /// <summary>Labels: name → value, such as @{ lab = '16' }.</summary>
    [Parameter]
    public IDictionary? Label { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        Configuration configuration;
        try
        {
            configuration = new Configuration(Id)
            {
                TargetCondition = TargetCondition,
                Priority = Priority,
                Content = new ConfigurationContent { DeviceContent = ConfigurationInput.DeviceContent(DesiredProperties) },
            };
            if (Metric is not null)
            {
                foreach (var (name, query) in ConfigurationInput.Map(Metric, "-Metric", allowNull: false)) configuration.Metrics.Queries[name] = query!;
            }
            if (Label is not null)
            {
                foreach (var (name, value) in ConfigurationInput.Map(Label, "-Label", allowNull: false)) configuration.Labels[name] = value!;
            }
        }
        catch (ArgumentException ex)
        {
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "InvalidArgument", ErrorCategory.InvalidArgument, ex.Message, Id, ex));
            return;
        }
        var target = TargetCondition.Trim() == "*" ? "every device (*)" : $"devices where {TargetCondition}";
        if (!ShouldProcess($"configuration '{Id}'", $"Create, targeting {target} with priority {Priority}, writing {string.Join(", ", configuration.Content.DeviceContent.Keys)}")) return;
        try
        {
            WriteObject(AutoConfigurationInfo.From(Await(ct => Registry.AddConfigurationAsync(configuration, ct))));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Id);
        }
    }
}
