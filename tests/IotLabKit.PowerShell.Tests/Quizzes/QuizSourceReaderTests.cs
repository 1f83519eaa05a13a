using System.Text;
using System.Text.Json;
using IotLabKit.Quizzes.Authoring;

namespace IotLabKit.PowerShell.Tests.Quizzes;

public sealed class QuizSourceReaderTests
{
    private const string Valid = """
        {
          "id": "demo",
          "title": "Demo",
          "questions": [
            { "id": "1", "text": "Pick B", "options": { "A": "a", "B": "b" }, "answer": "B", "explanation": "Because b." }
          ]
        }
        """;

    [Fact]
    public void ReadsTheModule8Source()
    {
        var (quiz, diagnostics) = QuizSourceReader.ReadFile(RepoPaths.Module08Source);
        Assert.Empty(diagnostics);
        Assert.NotNull(quiz);
        Assert.Equal("module-08", quiz.Id);
        Assert.Equal(9, quiz.Questions.Count);
        Assert.Equal(["B", "A", "A", "B", "C", "C", "A", "A", "A"], quiz.Questions.Select(q => q.Answer));
        Assert.All(quiz.Questions, q => Assert.Equal(1, q.Points));
    }

    [Fact]
    public void AppliesDefaultsAndAcceptsABom()
    {
        var (quiz, diagnostics) = QuizSourceReader.Read([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Valid)]);
        Assert.Empty(diagnostics);
        var question = Assert.Single(quiz!.Questions);
        Assert.Equal(1, question.Points);
        Assert.True(question.ShuffleOptions);
        Assert.Empty(question.Tags);
    }

    // "at" is the text the position must point to (its first occurrence in the edited source).
    [Theory]
    [InlineData("\"answer\": \"B\"", "\"answer\": \"C\"", "QZ0041", "questions[0].answer", "\"C\", \"expl")]
    [InlineData("\"answer\": \"B\"", "\"answer\": 2", "QZ0040", "questions[0].answer", "2, \"expl")]
    [InlineData("\"B\": \"b\"", "\"C\": \"b\"", "QZ0031", "questions[0].options.C", "\"C\": \"b\"")]
    [InlineData("\"B\": \"b\"", "\"B\": \"a\"", "QZ0034", "questions[0].options.B", "\"a\" }")]
    [InlineData("\"B\": \"b\"", "\"B\": \" \"", "QZ0033", "questions[0].options.B", "\" \" }")]
    [InlineData("\"id\": \"demo\"", "\"id\": \"Demo Quiz\"", "QZ0010", "id", "\"Demo Quiz\"")]
    [InlineData("\"title\": \"Demo\"", "\"title\": \"Demo\", \"title\": \"Again\"", "QZ0004", "title", "\"title\": \"Again\"")]
    [InlineData("\"answer\": \"B\"", "\"answer\": \"B\", \"hint\": \"x\"", "QZ0003", "questions[0].hint", "\"hint\"")]
    [InlineData("\"explanation\": \"Because b.\"", "\"explanation\": \"\"", "QZ0050", "questions[0].explanation", "\"\" }")]
    [InlineData("\"answer\": \"B\"", "\"answer\": \"B\", \"points\": 1.5", "QZ0070", "questions[0].points", "1.5")]
    [InlineData("\"answer\": \"B\"", "\"answer\": \"B\", \"tags\": [ 1 ]", "QZ0060", "questions[0].tags[0]", "1 ]")]
    [InlineData("\"answer\": \"B\"", "\"answer\": \"B\", \"shuffleOptions\": \"no\"", "QZ0080", "questions[0].shuffleOptions", "\"no\"")]
    public void ReportsEachRuleWithItsFieldAndPosition(string find, string replace, string code, string field, string at)
    {
        var json = Valid.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Valid, json);
        var (quiz, diagnostics) = QuizSourceReader.Read(Encoding.UTF8.GetBytes(json));
        Assert.Null(quiz);
        var error = Assert.Single(diagnostics, d => d.Severity == QuizDiagnosticSeverity.Error);
        Assert.Equal(code, error.Code);
        Assert.Equal(field, error.Field);
        var offset = json.IndexOf(at, StringComparison.Ordinal);
        var line = json[..offset].Count(c => c == '\n') + 1;
        var column = offset - (json.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1) + 1;
        Assert.Equal((line, column), (error.Position.Line, error.Position.Column));
    }

    [Fact]
    public void ReportsSyntaxErrorsWithTheirLine()
    {
        var (quiz, diagnostics) = QuizSourceReader.Read(Encoding.UTF8.GetBytes("{\n  \"id\": \"x\",\n  \"title\": \n}"));
        Assert.Null(quiz);
        var error = Assert.Single(diagnostics);
        Assert.Equal("QZ0001", error.Code);
        Assert.Equal(4, error.Position.Line);
    }

    [Fact]
    public void ReportsDuplicateQuestionIdsAndMissingParts()
    {
        var json = """
            { "id": "d", "title": "D", "questions": [
              { "id": "1", "text": "Q", "options": { "A": "a", "B": "b" }, "answer": "A", "explanation": "E" },
              { "id": "1", "text": "Q", "options": { "A": "a" }, "answer": "A" },
              "not a question"
            ] }
            """;
        var (_, diagnostics) = QuizSourceReader.Read(Encoding.UTF8.GetBytes(json));
        var codes = diagnostics.Select(d => $"{d.Code} {d.Field} {d.Position.Line}").ToList();
        Assert.Contains("QZ0032 questions[1].options 3", codes);
        Assert.Contains("QZ0050 questions[1].explanation 3", codes);
        Assert.Contains("QZ0021 questions[2] 4", codes);
    }

    [Fact]
    public void WarnsWhenAnExplanationNamesAnOptionByLetter()
    {
        var json = Valid.Replace("Because b.", "Option A is wrong.", StringComparison.Ordinal);
        var (quiz, diagnostics) = QuizSourceReader.Read(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(quiz);
        var warning = Assert.Single(diagnostics);
        Assert.Equal(QuizDiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("QZ0100", warning.Code);
        Assert.StartsWith("demo.quiz.json(5,", warning.Format("demo.quiz.json"), StringComparison.Ordinal);
    }

    [Fact]
    public void TheSchemaDescribesTheSamePropertiesAndIdRules()
    {
        // The reader is the authority; quiz.schema.json is what editors check while an instructor types.
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Quizzes, "quiz.schema.json")));
        var root = schema.RootElement;
        var question = root.GetProperty("$defs").GetProperty("question");
        Assert.Equal(QuizSourceReader.RootProperties.Order(), root.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(QuizSourceReader.QuestionProperties.Order(), question.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["id", "questions", "title"], root.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(["answer", "explanation", "id", "options", "text"], question.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(QuizSourceReader.QuizIdPattern().ToString(), root.GetProperty("properties").GetProperty("id").GetProperty("pattern").GetString());
        Assert.Equal(QuizSourceReader.QuestionIdPattern().ToString(), question.GetProperty("properties").GetProperty("id").GetProperty("pattern").GetString());
        Assert.Equal(QuizSourceReader.MaxOptions, question.GetProperty("properties").GetProperty("options").GetProperty("maxProperties").GetInt32());
        Assert.Equal(QuizSourceReader.MaxPoints, question.GetProperty("properties").GetProperty("points").GetProperty("maximum").GetInt32());
    }
}
