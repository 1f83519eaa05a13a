namespace IotLabKit.Quizzes.Authoring;

/// <summary>A quiz in its authoring form: plain text, answers and explanations included.</summary>
public sealed record QuizSource(
    string Id,
    string Title,
    string? Description,
    IReadOnlyList<QuestionSource> Questions);

/// <summary>One authored question.</summary>
/// <param name="Id">The question id, e.g. <c>8.3</c>.</param>
/// <param name="Text">The question text.</param>
/// <param name="Options">The options in letter order (A, B, C …).</param>
/// <param name="Answer">The letter of the correct option.</param>
/// <param name="Explanation">Why the answer is right and the other options are not.</param>
/// <param name="Tags">Topic tags.</param>
/// <param name="Points">Points for a correct answer.</param>
/// <param name="ShuffleOptions">False keeps the option order under -Shuffle.</param>
public sealed record QuestionSource(
    string Id,
    string Text,
    IReadOnlyList<QuizOption> Options,
    string Answer,
    string Explanation,
    IReadOnlyList<string> Tags,
    int Points,
    bool ShuffleOptions);
