namespace IotLabKit.Quizzes.Grading;

/// <summary>The outcome of one answered (or unanswered) question.</summary>
public sealed class QuizAnswerResult
{
    internal QuizAnswerResult(QuizQuestion question, string? answer, string correctAnswer, string explanation)
    {
        Quiz = question.Quiz;
        Question = question.Question;
        Text = question.Text;
        Answer = answer;
        AnswerText = answer is null ? null : question.OptionText(answer);
        CorrectAnswer = correctAnswer;
        CorrectAnswerText = question.OptionText(correctAnswer);
        IsCorrect = answer == correctAnswer;
        Explanation = explanation;
        Points = question.Points;
        Awarded = IsCorrect ? question.Points : 0;
    }

    /// <summary>The quiz id.</summary>
    public string Quiz { get; }

    /// <summary>The question id, e.g. <c>8.3</c>.</summary>
    public string Question { get; }

    /// <summary>The question text.</summary>
    public string Text { get; }

    /// <summary>The letter answered (in the quiz's own lettering), or null when unanswered.</summary>
    public string? Answer { get; }

    /// <summary>The text of the option answered.</summary>
    public string? AnswerText { get; }

    /// <summary>True when the answer is the correct option.</summary>
    public bool IsCorrect { get; }

    /// <summary>The letter of the correct option.</summary>
    public string CorrectAnswer { get; }

    /// <summary>The text of the correct option.</summary>
    public string CorrectAnswerText { get; }

    /// <summary>Why the correct option is right and the others are not.</summary>
    public string Explanation { get; }

    /// <summary>Points the question is worth.</summary>
    public int Points { get; }

    /// <summary>Points earned: <see cref="Points"/> when correct, else 0.</summary>
    public int Awarded { get; }
}
