using System.Text.Json;

namespace IotLabKit.Quizzes.Sealing;

/// <summary>Reads and writes the shipped quiz file (<c>*.quiz.sealed.json</c>).</summary>
public static class SealedQuizFile
{
    /// <summary>The file name ending of a sealed quiz.</summary>
    public const string Extension = ".quiz.sealed.json";

    /// <summary>The value of the file's <c>format</c> property.</summary>
    public const string Format = "iotlabkit-quiz-sealed/1";

    private const string FormatPrefix = "iotlabkit-quiz-sealed/";

    /// <summary>Writes a sealed quiz as indented UTF-8 JSON (no BOM).</summary>
    public static void Write(Quiz quiz, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("id", quiz.Id);
        json.WriteString("title", quiz.Title);
        if (quiz.Description is not null)
        {
            json.WriteString("description", quiz.Description);
        }

        json.WriteStartArray("questions");
        foreach (var q in quiz.Questions)
        {
            json.WriteStartObject();
            json.WriteString("id", q.Question);
            json.WriteString("text", q.Text);
            json.WriteStartObject("options");
            foreach (var option in q.Options)
            {
                json.WriteString(option.Letter, option.Text);
            }

            json.WriteEndObject();
            json.WriteNumber("points", q.Points);
            json.WriteStartArray("tags");
            foreach (var tag in q.Tags)
            {
                json.WriteStringValue(tag);
            }

            json.WriteEndArray();
            json.WriteBoolean("shuffleOptions", q.ShuffleOptions);
            json.WriteStartObject("seal");
            json.WriteBase64String("salt", q.Seal.Salt);
            json.WriteBase64String("check", q.Seal.Check);
            json.WriteBase64String("explanation", q.Seal.Explanation);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.Write("\n"u8);
    }

    /// <summary>Writes a sealed quiz to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(Quiz quiz, string path)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            Write(quiz, stream);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>True when the parsed JSON declares itself a sealed quiz (of any version).</summary>
    internal static bool IsSealed(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("format", out var format)
        && format.ValueKind == JsonValueKind.String
        && (format.GetString() ?? string.Empty).StartsWith(FormatPrefix, StringComparison.Ordinal);

    /// <summary>Reads a sealed quiz from parsed JSON.</summary>
    /// <exception cref="QuizException">The file is not a readable sealed quiz.</exception>
    internal static Quiz Read(JsonElement root, string path)
    {
        var reader = new Reader(path);
        var format = reader.String(root, "format", "$");
        if (format != Format)
        {
            throw reader.Fail("format", $"it was built in format '{format}', and this IotLabKit reads '{Format}'. Rebuild it with Build-IotQuiz or update IotLabKit.");
        }

        var id = reader.String(root, "id", "$");
        if (!Authoring.QuizSourceReader.QuizIdPattern().IsMatch(id))
        {
            throw reader.Fail("id", $"'{id}' is not a valid quiz id.");
        }

        var title = reader.String(root, "title", "$");
        var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        var questions = new List<QuizQuestion>();
        var array = reader.Property(root, "questions", "$", JsonValueKind.Array);
        var index = 0;
        foreach (var q in array.EnumerateArray())
        {
            var at = $"questions[{index}]";
            reader.Expect(q, at, JsonValueKind.Object);
            var options = new List<QuizOption>();
            foreach (var option in reader.Property(q, "options", at, JsonValueKind.Object).EnumerateObject())
            {
                if (option.Value.ValueKind != JsonValueKind.String || option.Name.Length != 1 || option.Name[0] != 'A' + options.Count)
                {
                    throw reader.Fail($"{at}.options.{option.Name}", "options must be letters A, B, C … in order, each with a string.");
                }

                options.Add(new QuizOption(option.Name, option.Value.GetString()!));
            }

            var seal = reader.Property(q, "seal", at, JsonValueKind.Object);
            AnswerSeal answerSeal;
            try
            {
                answerSeal = new AnswerSeal(
                    reader.Bytes(seal, "salt", $"{at}.seal"),
                    reader.Bytes(seal, "check", $"{at}.seal"),
                    reader.Bytes(seal, "explanation", $"{at}.seal"));
            }
            catch (ArgumentException)
            {
                throw reader.Fail($"{at}.seal", "the answer seal has the wrong size; the file was damaged or edited.");
            }

            var tags = q.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            var points = reader.Property(q, "points", at, JsonValueKind.Number).TryGetInt32(out var p) && p >= 0 ? p
                : throw reader.Fail($"{at}.points", "points must be a whole number of 0 or more.");
            var shuffle = !q.TryGetProperty("shuffleOptions", out var s) || s.ValueKind != JsonValueKind.False;
            questions.Add(new QuizQuestion(id, reader.String(q, "id", at), index + 1, reader.String(q, "text", at), options, points, tags, shuffle, answerSeal));
            index++;
        }

        if (questions.Count == 0)
        {
            throw reader.Fail("questions", "the quiz has no questions.");
        }

        return new Quiz(id, title, description, path, questions);
    }

    private sealed class Reader(string path)
    {
        public QuizException Fail(string field, string message) =>
            new(QuizErrorKind.QuizFileInvalid, $"Cannot read the quiz file '{path}': {field}: {message}", path);

        public void Expect(JsonElement element, string field, JsonValueKind kind)
        {
            if (element.ValueKind != kind)
            {
                throw Fail(field, $"expected {kind.ToString().ToLowerInvariant()}, found {element.ValueKind.ToString().ToLowerInvariant()}.");
            }
        }

        public JsonElement Property(JsonElement obj, string name, string at, JsonValueKind kind)
        {
            var field = at == "$" ? name : $"{at}.{name}";
            if (!obj.TryGetProperty(name, out var value))
            {
                throw Fail(field, "missing.");
            }

            Expect(value, field, kind);
            return value;
        }

        public string String(JsonElement obj, string name, string at) => Property(obj, name, at, JsonValueKind.String).GetString()!;

        public byte[] Bytes(JsonElement obj, string name, string at) =>
            Property(obj, name, at, JsonValueKind.String).TryGetBytesFromBase64(out var bytes) ? bytes
                : throw Fail($"{at}.{name}", "not base64.");
    }
}
