using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IotLabKit.PowerShell.Configurations;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// Completes -Id of the configuration cmdlets with the ids of the connected hub's configurations that match what
/// was typed (wildcards allowed). Silent — no completions, no errors — when the session is not connected or the
/// hub does not answer quickly.
/// </summary>
public sealed class ConfigurationIdCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var connection = HubSession.Current;
        if (connection is null) return [];
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        try
        {
            using var timeout = new CancellationTokenSource(Budget);
            var configurations = connection.Registry.GetConfigurationsAsync(100, timeout.Token).GetAwaiter().GetResult();
            return configurations
                .Where(c => pattern.IsMatch(c.Id))
                .OrderBy(c => c.Id, StringComparer.Ordinal)
                .Select(c => new CompletionResult(CompletionText.Quote(c.Id), c.Id, CompletionResultType.ParameterValue,
                    $"{c.Id} (priority {c.Priority}, target {c.TargetCondition})"))
                .ToList();
        }
        catch (Exception)
        {
            // Completion must never throw into the user's typing; no answer means no suggestions.
            return [];
        }
    }
}

/// <summary>
/// Completes -Metric of Get-AutoConfigurationMetric with targetedCount, appliedCount and the custom metric names of
/// the configuration named by -Id.
/// </summary>
public sealed class ConfigurationMetricCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var connection = HubSession.Current;
        var id = fakeBoundParameters["Id"] as string ?? fakeBoundParameters["ConfigurationId"] as string ?? fakeBoundParameters["Name"] as string;
        if (connection is null || string.IsNullOrEmpty(id)) return [];
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        try
        {
            using var timeout = new CancellationTokenSource(Budget);
            var configuration = connection.Registry.GetConfigurationAsync(id, timeout.Token).GetAwaiter().GetResult();
            if (configuration is null) return [];
            return GetAutoConfigurationMetricCommand.AllMetrics(configuration)
                .Where(m => pattern.IsMatch(m.Name))
                .Select(m => new CompletionResult(CompletionText.Quote(m.Name), m.Name, CompletionResultType.ParameterValue, $"{m.Name} ({m.Type}): {m.Query}"))
                .ToList();
        }
        catch (Exception)
        {
            return [];
        }
    }
}

/// <summary>How completers write a value so PowerShell reads it back as typed.</summary>
internal static class CompletionText
{
    /// <summary>The value, single-quoted when it holds a character PowerShell would read otherwise.</summary>
    public static string Quote(string value)
        => value.IndexOfAny([' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '@', '#', '|', '&']) >= 0
            ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : value;
}
