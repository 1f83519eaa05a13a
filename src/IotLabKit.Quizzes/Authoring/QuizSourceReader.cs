using System.Text.Json;
using System.Text.RegularExpressions;
using IotLabKit.Quizzes.Json;

namespace IotLabKit.Quizzes.Authoring;

/// <summary>
/// Reads and checks a quiz source (<c>*.quiz.json</c>). Every rule of the authoring format lives here;
/// quizzes/quiz.schema.json mirrors them for editors, and a test keeps the two in step.
/// </summary>
public static partial class QuizSourceReader
{
    /// <summary>The largest number of options a question may have (letters A to H).</summary>
    public const int MaxOptions = 8;

    /// <summary>The largest number of points a question may be worth.</summary>
    public const int MaxPoints = 100;

    internal static readonly string[] RootProperties = ["$schema", "id", "title", "description", "questions"];
    internal static readonly string[] QuestionProperties =
        ["id", "text", "options", "answer", "explanation", "tags", "points", "shuffleOptions"];

    /// <summary>Reads a source file.</summary>
    /// <returns>The quiz (null when there are errors) and every finding, errors and warnings.</returns>
    public static (QuizSource? Quiz, IReadOnlyList<QuizDiagnostic> Diagnostics) ReadFile(string path) =>
        Read(File.ReadAllBytes(path));

    /// <summary>Reads a source from UTF-8 JSON.</summary>
    /// <returns>The quiz (null when there are errors) and every finding, errors and warnings.</returns>
    public static (QuizSource? Quiz, IReadOnlyList<QuizDiagnostic> Diagnostics) Read(byte[] utf8Json)
    {
        var check = new Checker();
        PNode root;
        try
        {
            root = PositionedJson.Parse(utf8Json);
        }
        catch (JsonSyntaxException ex)
        {
            check.Error("QZ0001", "$", $"The file is not valid JSON: {ex.Message}", ex.Position);
            return (null, check.Diagnostics);
        }

        var quiz = check.Quiz(root);
        return (check.HasErrors ? null : quiz, check.Diagnostics);
    }

    /// <summary>Quiz ids name files and are typed after -Quiz: lower case, digits, '.', '_' and '-'.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    internal static partial Regex QuizIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]
    internal static partial Regex QuestionIdPattern();

    // "option B", "answer (C)", "choice A" — -Shuffle relabels options, so such a reference can point at the
    // wrong option; explanations should name the option's content instead.
    [GeneratedRegex(@"\b(options?|answers?|choices?)\s+\(?[A-H]\)?(?![\w-])", RegexOptions.IgnoreCase)]
    private static partial Regex LetterReference();

    private sealed class Checker
    {
        private readonly List<QuizDiagnostic> _diagnostics = [];

        public IReadOnlyList<QuizDiagnostic> Diagnostics => _diagnostics;

        public bool HasErrors => _diagnostics.Any(d => d.Severity == QuizDiagnosticSeverity.Error);

        public void Error(string code, string field, string message, SourcePosition at) =>
            _diagnostics.Add(new QuizDiagnostic(QuizDiagnosticSeverity.Error, code, field, message, at));

        private void Warning(string code, string field, string message, SourcePosition at) =>
            _diagnostics.Add(new QuizDiagnostic(QuizDiagnosticSeverity.Warning, code, field, message, at));

        public QuizSource? Quiz(PNode root)
        {
            if (root is not PObject obj)
            {
                Error("QZ0002", "$", $"A quiz is a JSON object with id, title and questions; found {root.Kind}.", root.Position);
                return null;
            }

            Properties(obj, "$", RootProperties);
            var id = RequiredString(obj, "id", "$", "QZ0010");
            if (id is not null && !QuizIdPattern().IsMatch(id))
            {
                Error("QZ0010", "id", $"'{id}' is not a valid quiz id: use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. module-08).", obj.Find("id")!.Value.Position);
            }

            var title = RequiredString(obj, "title", "$", "QZ0011");
            var description = OptionalString(obj, "description", "$", "QZ0012");
            var questions = Questions(obj);
            return id is null || title is null || questions is null ? null : new QuizSource(id, title, description, questions);
        }

        private List<QuestionSource>? Questions(PObject quiz)
        {
            var property = quiz.Find("questions");
            if (property is null)
            {
                Error("QZ0020", "questions", "Missing 'questions': a quiz needs an array of at least one question.", quiz.Position);
                return null;
            }

            if (property.Value is not PArray array || array.Items.Count == 0)
            {
                Error("QZ0020", "questions", property.Value is PArray
                    ? "'questions' is empty: a quiz needs at least one question."
                    : $"'questions' must be an array of questions; found {property.Value.Kind}.", property.Value.Position);
                return null;
            }

            var result = new List<QuestionSource>();
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < array.Items.Count; i++)
            {
                var path = $"questions[{i}]";
                var question = Question(array.Items[i], path);
                if (question is null)
                {
                    continue;
                }

                if (seen.TryGetValue(question.Id, out var first))
                {
                    Error("QZ0023", $"{path}.id", $"Question id '{question.Id}' is already used by {first}; ids must be unique.", ((PObject)array.Items[i]).Find("id")!.Value.Position);
                    continue;
                }

                seen[question.Id] = path;
                result.Add(question);
            }

            return result;
        }

        private QuestionSource? Question(PNode node, string path)
        {
            if (node is not PObject obj)
            {
                Error("QZ0021", path, $"A question is an object with id, text, options, answer and explanation; found {node.Kind}.", node.Position);
                return null;
            }

            Properties(obj, path, QuestionProperties);
            var id = RequiredString(obj, "id", path, "QZ0022");
            if (id is not null && !QuestionIdPattern().IsMatch(id))
            {
                Error("QZ0022", $"{path}.id", $"'{id}' is not a valid question id: use 1-32 letters, digits, '.', '_' or '-' (e.g. 8.3).", obj.Find("id")!.Value.Position);
                id = null;
            }

            var text = RequiredString(obj, "text", path, "QZ0024");
            var options = Options(obj, path);
            var answer = Answer(obj, path, options);
            var explanation = RequiredString(obj, "explanation", path, "QZ0050");
            if (explanation is not null && LetterReference().Match(explanation) is { Success: true } match)
            {
                Warning("QZ0100", $"{path}.explanation", $"The explanation refers to an option by letter ('{match.Value}'); -Shuffle relabels options, so name the option's content instead.", obj.Find("explanation")!.Value.Position);
            }

            var tags = Tags(obj, path);
            var points = Points(obj, path);
            var shuffle = Boolean(obj, "shuffleOptions", path, "QZ0080") ?? true;
            if (id is null || text is null || options is null || answer is null || explanation is null || tags is null || points is null)
            {
                return null;
            }

            return new QuestionSource(id, text, options, answer, explanation, tags, points.Value, shuffle);
        }

        private List<QuizOption>? Options(PObject question, string path)
        {
            var property = question.Find("options");
            if (property is null)
            {
                Error("QZ0030", $"{path}.options", "Missing 'options': an object of option letters to texts, e.g. { \"A\": \"…\", \"B\": \"…\" }.", question.Position);
                return null;
            }

            if (property.Value is not PObject obj)
            {
                Error("QZ0030", $"{path}.options", $"'options' must be an object of option letters to texts; found {property.Value.Kind}.", property.Value.Position);
                return null;
            }

            var result = new List<QuizOption>();
            var ok = true;
            for (var i = 0; i < obj.Properties.Count; i++)
            {
                var option = obj.Properties[i];
                var expected = ((char)('A' + i)).ToString();
                if (option.Name != expected)
                {
                    Error("QZ0031", $"{path}.options.{option.Name}", i >= MaxOptions
                        ? $"A question has at most {MaxOptions} options (A to H)."
                        : $"Option letters run A, B, C … in order without gaps; expected '{expected}' here, found '{option.Name}'.", option.NamePosition);
                    ok = false;
                    continue;
                }

                if (option.Value is not PValue { ValueKind: JsonValueKind.String, Text: { } text } || string.IsNullOrWhiteSpace(text))
                {
                    Error("QZ0033", $"{path}.options.{option.Name}", $"Option {option.Name} must be a non-empty string; found {Describe(option.Value)}.", option.Value.Position);
                    ok = false;
                    continue;
                }

                var duplicate = result.FirstOrDefault(o => string.Equals(o.Text.Trim(), text.Trim(), StringComparison.OrdinalIgnoreCase));
                if (duplicate is not null)
                {
                    Error("QZ0034", $"{path}.options.{option.Name}", $"Option {option.Name} has the same text as option {duplicate.Letter}.", option.Value.Position);
                    ok = false;
                    continue;
                }

                result.Add(new QuizOption(option.Name, text.Trim()));
            }

            if (ok && result.Count < 2)
            {
                Error("QZ0032", $"{path}.options", $"A question needs at least 2 options; found {result.Count}.", obj.Position);
                ok = false;
            }

            return ok ? result : null;
        }

        private string? Answer(PObject question, string path, List<QuizOption>? options)
        {
            var answer = RequiredString(question, "answer", path, "QZ0040");
            if (answer is null || options is null)
            {
                return null;
            }

            if (options.All(o => o.Letter != answer))
            {
                Error("QZ0041", $"{path}.answer", $"'{answer}' is not one of the option letters ({string.Join(", ", options.Select(o => o.Letter))}).", question.Find("answer")!.Value.Position);
                return null;
            }

            return answer;
        }

        private List<string>? Tags(PObject question, string path)
        {
            var property = question.Find("tags");
            if (property is null)
            {
                return [];
            }

            if (property.Value is not PArray array)
            {
                Error("QZ0060", $"{path}.tags", $"'tags' must be an array of strings; found {property.Value.Kind}.", property.Value.Position);
                return null;
            }

            var tags = new List<string>();
            for (var i = 0; i < array.Items.Count; i++)
            {
                if (array.Items[i] is PValue { ValueKind: JsonValueKind.String, Text: { } tag } && !string.IsNullOrWhiteSpace(tag))
                {
                    tags.Add(tag.Trim());
                }
                else
                {
                    Error("QZ0060", $"{path}.tags[{i}]", $"A tag must be a non-empty string; found {Describe(array.Items[i])}.", array.Items[i].Position);
                    return null;
                }
            }

            return tags;
        }

        private int? Points(PObject question, string path)
        {
            var property = question.Find("points");
            if (property is null)
            {
                return 1;
            }

            if (property.Value is PValue { ValueKind: JsonValueKind.Number, Integer: { } points } && points is >= 0 and <= MaxPoints)
            {
                return (int)points;
            }

            Error("QZ0070", $"{path}.points", $"'points' must be a whole number from 0 to {MaxPoints}; found {Describe(property.Value)}.", property.Value.Position);
            return null;
        }

        private void Properties(PObject obj, string path, string[] allowed)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in obj.Properties)
            {
                var field = path == "$" ? property.Name : $"{path}.{property.Name}";
                if (!seen.Add(property.Name))
                {
                    Error("QZ0004", field, $"'{property.Name}' appears twice in the same object.", property.NamePosition);
                }
                else if (!allowed.Contains(property.Name))
                {
                    var hint = allowed.OrderBy(a => EditDistance(a.ToLowerInvariant(), property.Name.ToLowerInvariant()))
                        .FirstOrDefault(a => EditDistance(a.ToLowerInvariant(), property.Name.ToLowerInvariant()) <= Math.Max(1, a.Length / 4));
                    Error("QZ0003", field, $"Unknown property '{property.Name}'" + (hint is null
                        ? $"; allowed here: {string.Join(", ", allowed)}."
                        : $"; did you mean '{hint}'?"), property.NamePosition);
                }
            }
        }

        private string? RequiredString(PObject obj, string name, string path, string code)
        {
            var field = path == "$" ? name : $"{path}.{name}";
            var property = obj.Find(name);
            if (property is null)
            {
                Error(code, field, $"Missing '{name}'.", obj.Position);
                return null;
            }

            if (property.Value is not PValue { ValueKind: JsonValueKind.String, Text: { } text } || string.IsNullOrWhiteSpace(text))
            {
                Error(code, field, $"'{name}' must be a non-empty string; found {Describe(property.Value)}.", property.Value.Position);
                return null;
            }

            return text.Trim();
        }

        private string? OptionalString(PObject obj, string name, string path, string code)
        {
            var property = obj.Find(name);
            if (property is null)
            {
                return null;
            }

            if (property.Value is PValue { ValueKind: JsonValueKind.String, Text: { } text })
            {
                return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
            }

            Error(code, path == "$" ? name : $"{path}.{name}", $"'{name}' must be a string; found {property.Value.Kind}.", property.Value.Position);
            return null;
        }

        private bool? Boolean(PObject obj, string name, string path, string code)
        {
            var property = obj.Find(name);
            switch (property?.Value)
            {
                case null:
                    return null;
                case PValue { ValueKind: JsonValueKind.True }:
                    return true;
                case PValue { ValueKind: JsonValueKind.False }:
                    return false;
                default:
                    Error(code, $"{path}.{name}", $"'{name}' must be true or false; found {property.Value.Kind}.", property.Value.Position);
                    return null;
            }
        }

        // Levenshtein distance, to suggest the property an author probably meant ("explaination" → "explanation").
        private static int EditDistance(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }

                previous = current;
            }

            return previous[b.Length];
        }

        private static string Describe(PNode node) => node switch
        {
            PValue { ValueKind: JsonValueKind.String, Text: var t } when string.IsNullOrWhiteSpace(t) => "an empty string",
            PValue { ValueKind: JsonValueKind.String or JsonValueKind.Number, Text: var t } => $"{node.Kind} ({Shorten(t!)})",
            _ => node.Kind,
        };

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
    }
}
