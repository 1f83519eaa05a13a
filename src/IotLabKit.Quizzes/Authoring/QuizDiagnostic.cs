using IotLabKit.Quizzes.Json;

namespace IotLabKit.Quizzes.Authoring;

/// <summary>How bad a finding is: errors stop the build, warnings do not.</summary>
public enum QuizDiagnosticSeverity
{
    /// <summary>The quiz still builds.</summary>
    Warning,

    /// <summary>The quiz does not build.</summary>
    Error,
}

/// <summary>One finding about a quiz source, with where it is.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable code, e.g. <c>QZ0105</c> (the list is in quizzes/README.md).</param>
/// <param name="Field">The JSON path of the offending field, e.g. <c>questions[2].answer</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
/// <param name="Position">Line and column in the source file.</param>
public sealed record QuizDiagnostic(
    QuizDiagnosticSeverity Severity, string Code, string Field, string Message, SourcePosition Position)
{
    /// <summary>
    /// The diagnostic in the canonical compiler format that MSBuild, VS Code and CI logs recognise:
    /// <c>file(line,col): error QZ0105: questions[2].answer: …</c>.
    /// </summary>
    public string Format(string file) =>
        $"{file}({Position.Line},{Position.Column}): {(Severity == QuizDiagnosticSeverity.Error ? "error" : "warning")} {Code}: {Field}: {Message}";
}
