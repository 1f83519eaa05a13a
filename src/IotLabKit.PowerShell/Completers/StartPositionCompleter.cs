using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace IotLabKit.PowerShell.Completers;

/// <summary>Completes Receive-IotTelemetry's -StartPosition with its named positions (a time or an offset is typed).</summary>
public sealed class StartPositionCompleter : IArgumentCompleter
{
    private static readonly string[] Names = ["Latest", "Earliest"];

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionText.Pattern(wordToComplete);
        return Names.Where(pattern.IsMatch).Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }
}
