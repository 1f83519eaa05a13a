using System.Management.Automation;
using IotLabKit.Quizzes;
using IotLabKit.Quizzes.Catalog;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// <para type="synopsis">Lists quizzes, or gets one quiz with its questions (never its answers).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IotQuiz")]
[OutputType(typeof(Quizzes.Quiz))]
public sealed class GetIotQuizCommand : QuizCmdlet
{
    /// <summary>Quiz ids to get; wildcards allowed. All quizzes when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(QuizIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Quiz { get; set; }

    /// <summary>Quiz files (sealed or source) or folders of sealed quizzes to look in instead of the module's own.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("QuizPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var fromPath = Path is { Length: > 0 };
        var (quizzes, errors) = QuizCatalog.Scan(fromPath ? ResolvePaths(Path!) : DefaultLocations, requireExisting: fromPath);
        foreach (var error in errors)
        {
            WriteFailure(error);
        }

        if (Quiz is not { Length: > 0 })
        {
            WriteObject(quizzes, enumerateCollection: true);
            return;
        }

        foreach (var id in Quiz)
        {
            var pattern = new WildcardPattern(id, WildcardOptions.IgnoreCase);
            var matches = quizzes.Where(q => pattern.IsMatch(q.Id)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(id))
            {
                var known = quizzes.Count == 0 ? "no quizzes were found" : "available: " + string.Join(", ", quizzes.Select(q => q.Id));
                WriteFailure(new QuizException(QuizErrorKind.QuizNotFound, $"There is no quiz '{id}' ({known}).", id));
            }

            WriteObject(matches, enumerateCollection: true);
        }
    }
}
