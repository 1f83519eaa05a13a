using System.Management.Automation;
using IotLabKit.PowerShell.Output;

namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// Creates a consumer group on the emulator's Event Hubs-compatible endpoint (like
/// <c>az iot hub consumer-group create</c>), so readers in it keep their own place, independent of $Default's.
/// </summary>
[Cmdlet(VerbsCommon.New, "IotHubConsumerGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ConsumerGroupInfo))]
public sealed class NewIotHubConsumerGroupCommand : ConsumerGroupCmdlet
{
    /// <summary>
    /// The group's name: 1–50 letters, digits, '.', '-' and '_', starting and ending with a letter or digit. A name
    /// that exists already (ignoring case) returns that group.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("ConsumerGroup")]
    public string[] Name { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess($"consumer group '{name}' on {Connection.HubName}", "Create the consumer group")) continue;
            try { WriteObject(ConsumerGroupInfo.From(Await(ct => Connection.Emulator.CreateConsumerGroupAsync(name, ct)), Connection.HubName)); }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, name);
            }
        }
    }
}
