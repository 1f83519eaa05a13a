namespace IotLabKit.Quizzes;

/// <summary>A quiz operation failed for a reason the user can fix; the message says how.</summary>
public sealed class QuizException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Why it failed.</param>
    /// <param name="message">A message for the user, naming the file, line or field involved.</param>
    /// <param name="target">The object the error is about (a quiz id, question id, path).</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public QuizException(QuizErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Target = target;
    }

    /// <summary>Why it failed.</summary>
    public QuizErrorKind Kind { get; }

    /// <summary>The object the error is about (a quiz id, question id, path).</summary>
    public object? Target { get; }
}
