using System.Text.Json;
using IotLabKit.Quizzes.Json;

namespace IotLabKit.Quizzes.Grading;

/// <summary>
/// A student's answers: <c>{ "quiz": "module-08", "student": "Ada", "answers": { "8.1": "B", … } }</c>.
/// <c>quiz</c> and <c>student</c> are optional, other properties are ignored — so a result file written by
/// Submit-IotQuiz or Start-IotQuiz is itself a valid answers file.
/// </summary>
public sealed class AnswerSheet
{
    /// <summary>Creates an answer sheet.</summary>
    public AnswerSheet(string? quiz, string? student, IReadOnlyDictionary<string, string?> answers, string? path = null)
    {
        Quiz = quiz;
        Student = student;
        Answers = answers;
        Path = path;
    }

    /// <summary>The quiz the answers are for, when the file says.</summary>
    public string? Quiz { get; }

    /// <summary>Who answered, when the file says.</summary>
    public string? Student { get; }

    /// <summary>Question id to option letter; null means unanswered.</summary>
    public IReadOnlyDictionary<string, string?> Answers { get; }

    /// <summary>The file the answers came from, if any.</summary>
    public string? Path { get; }

    /// <summary>Reads an answers file.</summary>
    /// <exception cref="QuizException">The file is missing, not JSON, or not shaped like an answers file; the
    /// message gives the line and column.</exception>
    public static AnswerSheet Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new QuizException(QuizErrorKind.AnswersFileNotFound, $"No answers file at '{path}'.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuizException(QuizErrorKind.AnswersFileInvalid, $"Cannot read the answers file '{path}': {ex.Message}", path, ex);
        }

        PNode root;
        try
        {
            root = PositionedJson.Parse(bytes);
        }
        catch (JsonSyntaxException ex)
        {
            throw Invalid(path, ex.Position, $"not valid JSON: {ex.Message}");
        }

        const string Shape = "an answers file is a JSON object like { \"quiz\": \"module-08\", \"answers\": { \"8.1\": \"B\" } }";
        if (root is not PObject obj)
        {
            throw Invalid(path, root.Position, $"{Shape}; found {root.Kind}.");
        }

        var quiz = OptionalString(obj, "quiz", path);
        var student = OptionalString(obj, "student", path);
        var property = obj.Find("answers");
        if (property is null)
        {
            throw Invalid(path, obj.Position, $"{Shape}; it has no 'answers' property.");
        }

        if (property.Value is not PObject answersObject)
        {
            throw Invalid(path, property.Value.Position, $"'answers' must be an object of question ids to option letters; found {property.Value.Kind}.");
        }

        var answers = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var answer in answersObject.Properties)
        {
            if (answers.ContainsKey(answer.Name))
            {
                throw Invalid(path, answer.NamePosition, $"question '{answer.Name}' is answered twice.");
            }

            answers[answer.Name] = answer.Value switch
            {
                PValue { ValueKind: JsonValueKind.String } v => v.Text,
                PValue { ValueKind: JsonValueKind.Null } => null,
                _ => throw Invalid(path, answer.Value.Position, $"the answer to '{answer.Name}' must be an option letter in quotes (or null); found {answer.Value.Kind}."),
            };
        }

        return new AnswerSheet(quiz, student, answers, path);
    }

    private static string? OptionalString(PObject obj, string name, string path) => obj.Find(name)?.Value switch
    {
        null or PValue { ValueKind: JsonValueKind.Null } => null,
        PValue { ValueKind: JsonValueKind.String } v => v.Text,
        var other => throw Invalid(path, other.Position, $"'{name}' must be a string; found {other.Kind}."),
    };

    private static QuizException Invalid(string path, SourcePosition at, string message) =>
        new(QuizErrorKind.AnswersFileInvalid, $"The answers file '{path}' (line {at.Line}, column {at.Column}): {message}", path);
}
