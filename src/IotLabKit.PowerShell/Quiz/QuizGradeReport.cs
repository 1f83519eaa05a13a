namespace IotLabKit.PowerShell.Quiz;

/// <summary>What Test-IotQuiz reports for one answers file, from the Pester grader's results.</summary>
public sealed class QuizGradeReport
{
    /// <summary>The quiz id.</summary>
    public string Quiz { get; init; } = string.Empty;

    /// <summary>Who answered: the answers file's "student", else its file name.</summary>
    public string Student { get; init; } = string.Empty;

    /// <summary>Points earned: the points of every question whose test passed.</summary>
    public int Score { get; init; }

    /// <summary>Points available.</summary>
    public int MaxScore { get; init; }

    /// <summary>Score as a percentage of MaxScore, one decimal.</summary>
    public double Percent => MaxScore == 0 ? 0 : Math.Round(100.0 * Score / MaxScore, 1);

    /// <summary>Tests that passed (one per correctly answered question).</summary>
    public int Passed { get; init; }

    /// <summary>Tests that failed: wrong, invalid or missing answers, and answers to questions the quiz lacks.</summary>
    public int Failed { get; init; }

    /// <summary>The question ids answered wrongly or not at all.</summary>
    public IReadOnlyList<string> FailedQuestions { get; init; } = [];

    /// <summary>The graded answers file.</summary>
    public string AnswersPath { get; init; } = string.Empty;

    /// <summary>The NUnit/JUnit XML report, when -OutputPath was given.</summary>
    public string? TestResultPath { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Student}: {Score}/{MaxScore}";
}
