using IotLabKit.Quizzes.Sealing;

namespace IotLabKit.Quizzes;

/// <summary>
/// A quiz as students see it: questions and options, no answer key. Each question carries a sealed answer check
/// that <see cref="Grading.QuizGrader"/> opens with a candidate answer.
/// </summary>
public sealed class Quiz
{
    internal Quiz(string id, string title, string? description, string? path, IReadOnlyList<QuizQuestion> questions)
    {
        Id = id;
        Title = title;
        Description = description;
        Path = path;
        Questions = questions;
    }

    /// <summary>The quiz id, e.g. <c>module-08</c>.</summary>
    public string Id { get; }

    /// <summary>The quiz title.</summary>
    public string Title { get; }

    /// <summary>An optional description shown before the first question.</summary>
    public string? Description { get; }

    /// <summary>The file the quiz was loaded from, or null when it was built in memory.</summary>
    public string? Path { get; }

    /// <summary>The questions in authoring order.</summary>
    public IReadOnlyList<QuizQuestion> Questions { get; }

    /// <summary>The number of questions.</summary>
    public int QuestionCount => Questions.Count;

    /// <summary>The sum of the questions' points.</summary>
    public int MaxScore => Questions.Sum(q => q.Points);

    /// <summary>Finds a question by id (case-insensitive).</summary>
    /// <exception cref="QuizException">The quiz has no such question.</exception>
    public QuizQuestion GetQuestion(string questionId)
    {
        var id = questionId?.Trim() ?? string.Empty;
        return Questions.FirstOrDefault(q => string.Equals(q.Question, id, StringComparison.OrdinalIgnoreCase))
            ?? throw new QuizException(
                QuizErrorKind.QuestionNotFound,
                $"Quiz '{Id}' has no question '{questionId}'. Its questions are: {string.Join(", ", Questions.Select(q => q.Question))}.",
                questionId);
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>One question of a quiz, without its answer.</summary>
public sealed class QuizQuestion
{
    internal QuizQuestion(
        string quiz, string question, int number, string text, IReadOnlyList<QuizOption> options,
        int points, IReadOnlyList<string> tags, bool shuffleOptions, AnswerSeal seal)
    {
        Quiz = quiz;
        Question = question;
        Number = number;
        Text = text;
        Options = options;
        Points = points;
        Tags = tags;
        ShuffleOptions = shuffleOptions;
        Seal = seal;
    }

    /// <summary>The id of the quiz this question belongs to.</summary>
    public string Quiz { get; }

    /// <summary>The question id, e.g. <c>8.3</c>.</summary>
    public string Question { get; }

    /// <summary>The 1-based position of the question in the quiz.</summary>
    public int Number { get; }

    /// <summary>The question text.</summary>
    public string Text { get; }

    /// <summary>The options in letter order.</summary>
    public IReadOnlyList<QuizOption> Options { get; }

    /// <summary>Points for a correct answer.</summary>
    public int Points { get; }

    /// <summary>Topic tags, for filtering and reports.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>False when the option order matters (e.g. "all of the above") and must survive -Shuffle.</summary>
    public bool ShuffleOptions { get; }

    internal AnswerSeal Seal { get; }

    /// <summary>
    /// Turns user input into an option letter: trims and upper-cases it.
    /// </summary>
    /// <exception cref="QuizException">The input is not one of this question's letters.</exception>
    public string NormalizeAnswer(string? answer)
    {
        var letter = answer?.Trim().ToUpperInvariant() ?? string.Empty;
        if (Options.Any(o => o.Letter == letter))
        {
            return letter;
        }

        throw new QuizException(
            QuizErrorKind.InvalidOption,
            $"'{answer}' is not an option of question {Question}; answer with one of: {string.Join(", ", Options.Select(o => o.Letter))}.",
            answer);
    }

    /// <summary>The text of the option with the given letter.</summary>
    public string OptionText(string letter) => Options.First(o => o.Letter == letter).Text;

    /// <inheritdoc />
    public override string ToString() => $"{Question} {Text}";
}

/// <summary>One option of a question.</summary>
/// <param name="Letter">The option letter, A to H.</param>
/// <param name="Text">The option text.</param>
public sealed record QuizOption(string Letter, string Text)
{
    /// <inheritdoc />
    public override string ToString() => $"{Letter}) {Text}";
}
