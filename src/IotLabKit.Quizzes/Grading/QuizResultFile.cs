using System.Text.Json;

namespace IotLabKit.Quizzes.Grading;

/// <summary>
/// Writes a graded attempt as JSON for the student to keep or hand in. It carries <c>quiz</c>, <c>student</c> and
/// <c>answers</c>, so it doubles as an answers file for Submit-IotQuiz and Test-IotQuiz.
/// </summary>
public static class QuizResultFile
{
    /// <summary>The value of the file's <c>format</c> property.</summary>
    public const string Format = "iotlabkit-quiz-result/1";

    /// <summary>Writes <paramref name="score"/> to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Write(QuizScore score, string path)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("quiz", score.Quiz);
            json.WriteString("title", score.Title);
            if (score.Student is not null)
            {
                json.WriteString("student", score.Student);
            }

            json.WriteString("submittedAt", score.SubmittedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("score", score.Score);
            json.WriteNumber("maxScore", score.MaxScore);
            json.WriteNumber("percent", score.Percent);
            json.WriteStartObject("answers");
            foreach (var result in score.Results)
            {
                json.WriteString(result.Question, result.Answer);
            }

            json.WriteEndObject();
            json.WriteStartArray("results");
            foreach (var result in score.Results)
            {
                json.WriteStartObject();
                json.WriteString("question", result.Question);
                json.WriteString("answer", result.Answer);
                json.WriteBoolean("isCorrect", result.IsCorrect);
                json.WriteString("correctAnswer", result.CorrectAnswer);
                json.WriteNumber("points", result.Points);
                json.WriteNumber("awarded", result.Awarded);
                json.WriteString("explanation", result.Explanation);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        File.Move(temp, path, overwrite: true);
    }
}
