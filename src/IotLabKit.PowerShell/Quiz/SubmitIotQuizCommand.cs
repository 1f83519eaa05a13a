using System.Collections;
using System.Management.Automation;
using IotLabKit.Quizzes;
using IotLabKit.Quizzes.Grading;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// <para type="synopsis">Grades a complete set of answers to a quiz and returns the score.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Submit, "IotQuiz", DefaultParameterSetName = AnswersSet, SupportsShouldProcess = true)]
[OutputType(typeof(QuizScore))]
public sealed class SubmitIotQuizCommand : QuizCmdlet
{
    private const string AnswersSet = "Answers";
    private const string PathSet = "Path";

    /// <summary>The quiz id. With -Path it may come from the answers file's "quiz" property instead.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(QuizIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Quiz { get; set; }

    /// <summary>The answers: question id to option letter, e.g. @{ '8.1' = 'B'; '8.2' = 'A' }.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = AnswersSet)]
    public Hashtable Answers { get; set; } = [];

    /// <summary>Answers files (JSON: { "quiz": "module-08", "answers": { "8.1": "B" } }); wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("AnswersPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>A quiz file or folder to use instead of the module's own quizzes.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? QuizPath { get; set; }

    /// <summary>Who answered; recorded in the result. Defaults to the answers file's "student".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Student { get; set; }

    /// <summary>
    /// Writes the graded result as JSON. With several answers files, a folder: one &lt;answers file name&gt;.result.json each.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == AnswersSet)
        {
            try
            {
                Grade(FromHashtable(Answers), OutputPath is null ? null : OutputFilePath(OutputPath));
            }
            catch (QuizException ex)
            {
                Fail(ex);
            }

            return;
        }

        var files = ResolvePaths(Path);
        foreach (var file in files)
        {
            try
            {
                var output = OutputPath is null ? null
                    : files.Count == 1 && Path.Length == 1 && !WildcardPattern.ContainsWildcardCharacters(Path[0]) ? OutputFilePath(OutputPath)
                    : System.IO.Path.Combine(OutputFilePath(OutputPath), System.IO.Path.GetFileNameWithoutExtension(file) + ".result.json");
                Grade(AnswerSheet.Load(file), output);
            }
            catch (QuizException ex)
            {
                // One bad file must not stop the rest of a class's submissions.
                WriteFailure(ex);
            }
        }
    }

    private void Grade(AnswerSheet sheet, string? outputPath)
    {
        if (Quiz is not null && sheet.Quiz is not null && !string.Equals(Quiz, sheet.Quiz, StringComparison.OrdinalIgnoreCase))
        {
            throw new QuizException(QuizErrorKind.AnswersQuizMismatch,
                $"The answers file '{sheet.Path}' is for quiz '{sheet.Quiz}', not '{Quiz}'.", sheet.Path);
        }

        var quizId = Quiz ?? sheet.Quiz;
        if (quizId is null && QuizPath is null)
        {
            throw new QuizException(QuizErrorKind.QuizNotFound,
                "Which quiz? Name it with -Quiz (e.g. -Quiz module-08) or give the answers file a \"quiz\" property.", sheet.Path);
        }

        var score = QuizGrader.Grade(ResolveQuiz(quizId, QuizPath), sheet.Answers, Student ?? sheet.Student);
        if (outputPath is not null && ShouldProcess(outputPath, "Write quiz result"))
        {
            if (TryWriteFile(outputPath, p => QuizResultFile.Write(score, p), sheet.Path))
            {
                score.OutputPath = outputPath;
            }
        }

        WriteObject(score);
    }

    private static AnswerSheet FromHashtable(Hashtable answers)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in answers)
        {
            var question = LanguagePrimitives.ConvertTo<string>(entry.Key);
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            result[question] = value switch
            {
                null => null,
                string s => s,
                char c => c.ToString(),
                _ => throw new QuizException(QuizErrorKind.InvalidOption,
                    $"The answer to '{question}' must be an option letter such as 'B'; found {value.GetType().Name} '{value}'.", value),
            };
        }

        return new AnswerSheet(null, null, result);
    }
}
