using System.Collections;
using System.Management.Automation;
using IotLabKit.PowerShell.Configurations;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// Completes -Id of the configuration cmdlets with the ids of the connected hub's configurations that match what
/// was typed (wildcards allowed). Silent — no completions, no errors — when the session is not connected or the
/// hub does not answer quickly.
/// </summary>
public sealed class ConfigurationIdCompleter : HubCompleter
{
    private protected override IEnumerable<CompletionResult> Complete(HubConnection connection, WildcardPattern pattern,
        IDictionary fakeBoundParameters, CancellationToken cancellationToken)
        => connection.Registry.GetConfigurationsAsync(100, cancellationToken).GetAwaiter().GetResult()
            .Where(c => pattern.IsMatch(c.Id))
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .Select(c => new CompletionResult(CompletionText.Quote(c.Id), c.Id, CompletionResultType.ParameterValue,
                $"{c.Id} (priority {c.Priority}, target {c.TargetCondition})"));
}

/// <summary>
/// Completes -Metric of Get-AutoConfigurationMetric with targetedCount, appliedCount and the custom metric names of
/// the configuration named by -Id.
/// </summary>
public sealed class ConfigurationMetricCompleter : HubCompleter
{
    private protected override IEnumerable<CompletionResult> Complete(HubConnection connection, WildcardPattern pattern,
        IDictionary fakeBoundParameters, CancellationToken cancellationToken)
    {
        var id = fakeBoundParameters["Id"] as string ?? fakeBoundParameters["ConfigurationId"] as string ?? fakeBoundParameters["Name"] as string;
        if (string.IsNullOrEmpty(id)) return [];
        var configuration = connection.Registry.GetConfigurationAsync(id, cancellationToken).GetAwaiter().GetResult();
        if (configuration is null) return [];
        return GetAutoConfigurationMetricCommand.AllMetrics(configuration)
            .Where(m => pattern.IsMatch(m.Name))
            .Select(m => new CompletionResult(CompletionText.Quote(m.Name), m.Name, CompletionResultType.ParameterValue, $"{m.Name} ({m.Type}): {m.Query}"));
    }
}
