using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;

namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// Lists the consumer groups of the emulator's Event Hubs-compatible endpoint: $Default and those created with
/// New-IotHubConsumerGroup (like <c>az iot hub consumer-group list</c>).
/// </summary>
[Cmdlet(VerbsCommon.Get, "IotHubConsumerGroup")]
[OutputType(typeof(ConsumerGroupInfo))]
public sealed class GetIotHubConsumerGroupCommand : ConsumerGroupCmdlet
{
    /// <summary>Only these groups (wildcards allowed). Omit it for every group.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConsumerGroupCompleter))]
    [Alias("ConsumerGroup")]
    public string[]? Name { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        IReadOnlyList<Service.ConsumerGroup> groups;
        try { groups = Await(ct => Connection.Emulator.GetConsumerGroupsAsync(ct)); }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Connection.HostName);
            return;
        }
        foreach (var wanted in Name ?? ["*"])
        {
            var pattern = new WildcardPattern(wanted, WildcardOptions.IgnoreCase);
            var found = groups.Where(g => pattern.IsMatch(g.Name)).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(wanted))
                WriteError(Errors.ErrorRecordFactory.Create(CommandId, "NotFound", ErrorCategory.ObjectNotFound,
                    $"The hub has no consumer group '{wanted}'; it has {string.Join(", ", groups.Select(g => g.Name))}.", wanted));
            foreach (var group in found) WriteObject(ConsumerGroupInfo.From(group, Connection.HubName));
        }
    }
}
