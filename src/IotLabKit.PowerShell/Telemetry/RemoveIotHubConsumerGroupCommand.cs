using System.Management.Automation;
using IotLabKit.PowerShell.Completers;

namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// Deletes consumer groups from the emulator's Event Hubs-compatible endpoint (like
/// <c>az iot hub consumer-group delete</c>). $Default cannot be deleted. Readers in a deleted group are refused
/// from their next attach; the telemetry itself stays.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "IotHubConsumerGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveIotHubConsumerGroupCommand : ConsumerGroupCmdlet
{
    /// <summary>The groups to delete (piping Get-IotHubConsumerGroup binds them).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ConsumerGroupCompleter))]
    [Alias("ConsumerGroup")]
    public string[] Name { get; set; } = [];

    /// <summary>Deletes without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcessUnlessForced(Force, $"consumer group '{name}' on {Connection.HubName}", "Delete the consumer group")) continue;
            try
            {
                Await(ct => Connection.Emulator.DeleteConsumerGroupAsync(name, ct));
                WriteVerbose($"Deleted consumer group '{name}'.");
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, name);
            }
        }
    }
}
