using System.Management.Automation;
using IotLabKit.Quizzes;
using IotLabKit.Quizzes.Grading;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// <para type="synopsis">Checks one answer to one quiz question and reveals the explanation.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "IotQuizAnswer")]
[OutputType(typeof(QuizAnswerResult))]
public sealed class TestIotQuizAnswerCommand : QuizCmdlet
{
    /// <summary>The quiz id, e.g. module-08. Optional when -Path names a single quiz.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(QuizIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Quiz { get; set; }

    /// <summary>The question id, e.g. 8.3.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(QuestionIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string Question { get; set; } = string.Empty;

    /// <summary>The option letter, e.g. A (case does not matter).</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Answer { get; set; } = string.Empty;

    /// <summary>A quiz file or folder to use instead of the module's own quizzes.</summary>
    [Parameter]
    [Alias("QuizPath")]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Quiz is null && Path is null)
        {
            Fail(new QuizException(QuizErrorKind.QuizNotFound, "Name the quiz with -Quiz (e.g. -Quiz module-08) or give its file with -Path.", null));
        }

        try
        {
            WriteObject(QuizGrader.Check(ResolveQuiz(Quiz, Path), Question, Answer));
        }
        catch (QuizException ex)
        {
            Fail(ex);
        }
    }
}
