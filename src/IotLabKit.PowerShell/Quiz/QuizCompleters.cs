using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IotLabKit.Quizzes.Catalog;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>Completes quiz ids from the folders the command would search.</summary>
public sealed class QuizIdCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return QuizCompletion.Quizzes(commandName, fakeBoundParameters)
            .Where(q => pattern.IsMatch(q.Id))
            .Select(q => new CompletionResult(q.Id, q.Id, CompletionResultType.ParameterValue, q.Title));
    }
}

/// <summary>Completes question ids of the quiz named by -Quiz.</summary>
public sealed class QuestionIdCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var quizId = fakeBoundParameters["Quiz"] as string;
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return QuizCompletion.Quizzes(commandName, fakeBoundParameters)
            .Where(q => quizId is null || string.Equals(q.Id, quizId, StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Questions)
            .Where(q => pattern.IsMatch(q.Question))
            .Select(q => new CompletionResult($"'{q.Question}'", q.Question, CompletionResultType.ParameterValue, q.Text));
    }
}

internal static class QuizCompletion
{
    public static IReadOnlyList<Quizzes.Quiz> Quizzes(string commandName, IDictionary fakeBoundParameters)
    {
        // Completion must never throw; a bad path just completes nothing.
        try
        {
            // On Submit-IotQuiz and Test-IotQuiz -Path is the answers file; the quiz location is -QuizPath there.
            var answersCommand = commandName is "Submit-IotQuiz" or "Test-IotQuiz";
            var path = (fakeBoundParameters["QuizPath"] ?? (answersCommand ? null : fakeBoundParameters["Path"])) switch
            {
                string s => [s],
                object[] a => a.OfType<string>().ToArray(),
                _ => null,
            };
            var locations = path is { Length: > 0 } && path.All(p => File.Exists(p) || Directory.Exists(p)) ? path : QuizCmdlet.DefaultLocations;
            return QuizCatalog.Scan(locations, requireExisting: false).Quizzes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
