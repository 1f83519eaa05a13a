using System.Collections;
using System.Management.Automation;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Completers;

/// <summary>Completes consumer group names from the connected emulator ($Default always; none from a real hub).</summary>
public sealed class ConsumerGroupCompleter : HubCompleter
{
    private protected override IEnumerable<CompletionResult> Complete(HubConnection connection, WildcardPattern pattern,
        IDictionary fakeBoundParameters, CancellationToken cancellationToken)
    {
        IEnumerable<string> names = connection.IsEmulator
            ? connection.Emulator.GetConsumerGroupsAsync(cancellationToken).GetAwaiter().GetResult().Select(g => g.Name)
            : ["$Default"];
        return names.Where(pattern.IsMatch)
            .Select(n => new CompletionResult(CompletionText.Quote(n), n, CompletionResultType.ParameterValue, n));
    }
}
