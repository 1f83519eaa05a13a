using System.Collections;
using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Errors;
using IotLabKit.Quizzes;
using IotLabKit.Quizzes.Grading;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// <para type="synopsis">Grades answers files with the Pester grader (one test per question) for instructors.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "IotQuiz")]
[OutputType(typeof(QuizGradeReport))]
public sealed class TestIotQuizCommand : QuizCmdlet
{
    // Reads the graded run ($result, from PesterModule.RunGrader): one summary per answers file (container).
    private const string Summarize = """
        function Get-Test($Block) { foreach ($b in $Block) { $b.Tests; Get-Test $b.Blocks } }
        foreach ($container in $result.Containers) {
            $tests = @(Get-Test $container.Blocks)
            [pscustomobject]@{
                AnswersPath = $container.Data.AnswersPath
                Result      = [string]$container.Result
                Passed      = @($tests | Where-Object Result -eq 'Passed' | ForEach-Object { $_.Data.Question } | Where-Object { $_ })
                Failed      = @($tests | Where-Object Result -eq 'Failed' | ForEach-Object { if ($_.Data.Question) { $_.Data.Question } else { '' } })
                Errors      = @($container.ErrorRecord | ForEach-Object { $_.Exception.Message })
            }
        }
        """;

    /// <summary>Answers files to grade; wildcards allowed (e.g. ./submissions/*.json).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("AnswersPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The quiz id; defaults to each answers file's "quiz" property.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(QuizIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Quiz { get; set; }

    /// <summary>A quiz file or folder to use instead of the module's own quizzes.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? QuizPath { get; set; }

    /// <summary>Writes the Pester results for every graded file to this XML file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>The XML format of -OutputPath: NUnitXml (NUnit 2.5, the default), NUnit3 or JUnitXml.</summary>
    [Parameter]
    [ValidateSet("NUnitXml", "NUnit3", "JUnitXml")]
    public string OutputFormat { get; set; } = "NUnitXml";

    /// <summary>How much Pester prints while grading: None, Normal (the default), Detailed or Diagnostic.</summary>
    [Parameter]
    [ValidateSet("None", "Normal", "Detailed", "Diagnostic")]
    public string Verbosity { get; set; } = "Normal";

    private readonly List<(string Path, AnswerSheet Sheet, Quizzes.Quiz Quiz)> _files = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var path in ResolvePaths(Path))
        {
            try
            {
                var sheet = AnswerSheet.Load(path);
                if (Quiz is not null && sheet.Quiz is not null && !string.Equals(Quiz, sheet.Quiz, StringComparison.OrdinalIgnoreCase))
                {
                    throw new QuizException(QuizErrorKind.AnswersQuizMismatch, $"The answers file '{path}' is for quiz '{sheet.Quiz}', not '{Quiz}'.", path);
                }

                var quizId = Quiz ?? sheet.Quiz;
                if (quizId is null && QuizPath is null)
                {
                    throw new QuizException(QuizErrorKind.QuizNotFound,
                        $"Which quiz is '{path}' for? Name it with -Quiz or give the file a \"quiz\" property.", path);
                }

                _files.Add((path, sheet, ResolveQuiz(quizId, QuizPath)));
            }
            catch (QuizException ex)
            {
                // Checked before Pester runs so that a broken file gets a clear record rather than a failed container.
                WriteFailure(ex);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_files.Count == 0)
        {
            return;
        }

        var grader = System.IO.Path.Combine(ModuleDirectory, "quizzes", "Quiz.Tests.ps1");
        if (!File.Exists(grader))
        {
            Fail("GraderNotFound", ErrorCategory.ObjectNotFound, $"The Pester grader is missing from the module: '{grader}'. Reinstall or rebuild IotLabKit.", grader);
        }

        var pester = FindPester();
        var reportPath = OutputPath is null ? null : OutputFilePath(OutputPath);
        var runs = _files.Select(f => new Hashtable
        {
            ["AnswersPath"] = f.Path,
            ["Quiz"] = f.Quiz.Id,
            ["QuizPath"] = f.Quiz.Path,
        }).ToArray();

        var containers = Grade(pester, grader, runs, reportPath);
        foreach (var (path, sheet, quiz) in _files)
        {
            var container = containers.FirstOrDefault(c => string.Equals(c.Properties["AnswersPath"]?.Value as string, path, StringComparison.Ordinal));
            var passed = Strings(container, "Passed");
            var failed = Strings(container, "Failed");
            var errors = Strings(container, "Errors");
            if (container is null || (passed.Count + failed.Count == 0))
            {
                WriteError(ErrorRecordFactory.Create(CommandId, "GraderFailed", ErrorCategory.InvalidResult,
                    $"The grader could not grade '{path}': {(errors.Count > 0 ? string.Join(" ", errors) : "it ran no tests")}", path));
                continue;
            }

            var (score, max) = QuizGrader.ScoreOutcomes(quiz, passed);
            WriteObject(new QuizGradeReport
            {
                Quiz = quiz.Id,
                Student = sheet.Student ?? System.IO.Path.GetFileNameWithoutExtension(path),
                Score = score,
                MaxScore = max,
                Passed = passed.Count,
                Failed = failed.Count,
                FailedQuestions = failed.Where(f => f.Length > 0).ToList(),
                AnswersPath = path,
                TestResultPath = reportPath,
            });
        }
    }

    private List<PSObject> Grade(string pester, string grader, Hashtable[] runs, string? reportPath)
    {
        try
        {
            return [.. PesterModule.RunGrader(this, pester, ModuleDirectory, grader, runs, reportPath, OutputFormat, Verbosity, "IotLabKit quiz", Summarize)];
        }
        catch (RuntimeException ex)
        {
            Fail("GraderFailed", ErrorCategory.InvalidResult, $"The Pester grader failed: {ex.Message}", grader, ex);
            throw;
        }
    }

    private string FindPester()
    {
        var found = PesterModule.Find(InvokeCommand);
        if (found is not null)
        {
            return found;
        }

        Fail("PesterNotFound", ErrorCategory.ObjectNotFound,
            "Test-IotQuiz runs the Pester grader and needs Pester 5 or later, which is not installed or loaded.", "Pester",
            recommendedAction: PesterModule.InstallHint);
        throw new InvalidOperationException("unreachable");
    }

    private static List<string> Strings(PSObject? container, string property) =>
        container?.Properties[property]?.Value is object value
            ? LanguagePrimitives.GetEnumerable(value) is { } items
                ? items.Cast<object?>().Select(i => i?.ToString() ?? string.Empty).ToList()
                : [value.ToString() ?? string.Empty]
            : [];
}
