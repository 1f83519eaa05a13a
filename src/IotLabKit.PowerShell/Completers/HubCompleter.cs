using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// The frame every completer that asks the connected hub shares: silent — no completions, no errors — when the
/// session is not connected, the hub does not answer within a short budget, or anything fails.
/// </summary>
public abstract class HubCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var connection = HubSession.Current;
        if (connection is null) return [];
        try
        {
            using var timeout = new CancellationTokenSource(Budget);
            return Complete(connection, CompletionText.Pattern(wordToComplete), fakeBoundParameters, timeout.Token).ToList();
        }
        catch (Exception)
        {
            // Completion must never throw into the user's typing; no answer means no suggestions.
            return [];
        }
    }

    /// <summary>The completions for <paramref name="pattern"/>, read from the hub within <paramref name="cancellationToken"/>.</summary>
    private protected abstract IEnumerable<CompletionResult> Complete(HubConnection connection, WildcardPattern pattern,
        IDictionary fakeBoundParameters, CancellationToken cancellationToken);
}
