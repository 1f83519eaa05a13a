namespace IotLabKit.Quizzes.Grading;

/// <summary>A graded attempt at a quiz.</summary>
public sealed class QuizScore
{
    internal QuizScore(Quiz quiz, string? student, IReadOnlyList<QuizAnswerResult> results, DateTimeOffset submittedAt)
    {
        Quiz = quiz.Id;
        Title = quiz.Title;
        Student = student;
        Results = results;
        SubmittedAt = submittedAt;
        Score = results.Sum(r => r.Awarded);
        MaxScore = results.Sum(r => r.Points);
        Percent = MaxScore == 0 ? 0 : Math.Round(100.0 * Score / MaxScore, 1);
        Correct = results.Count(r => r.IsCorrect);
        Answered = results.Count(r => r.Answer is not null);
    }

    /// <summary>The quiz id.</summary>
    public string Quiz { get; }

    /// <summary>The quiz title.</summary>
    public string Title { get; }

    /// <summary>Who answered, when known.</summary>
    public string? Student { get; }

    /// <summary>Points earned.</summary>
    public int Score { get; }

    /// <summary>Points available.</summary>
    public int MaxScore { get; }

    /// <summary>Score as a percentage of MaxScore, one decimal.</summary>
    public double Percent { get; }

    /// <summary>Questions answered correctly.</summary>
    public int Correct { get; }

    /// <summary>Questions answered at all.</summary>
    public int Answered { get; }

    /// <summary>Questions in the quiz.</summary>
    public int QuestionCount => Results.Count;

    /// <summary>One result per question, in quiz order.</summary>
    public IReadOnlyList<QuizAnswerResult> Results { get; }

    /// <summary>When the attempt was graded (UTC).</summary>
    public DateTimeOffset SubmittedAt { get; }

    /// <summary>The result file written with -OutputPath, if any.</summary>
    public string? OutputPath { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Quiz}: {Score}/{MaxScore} ({Percent}%)";
}
