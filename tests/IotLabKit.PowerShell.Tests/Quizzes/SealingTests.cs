using System.Security.Cryptography;
using System.Text;
using IotLabKit.Quizzes;
using IotLabKit.Quizzes.Authoring;
using IotLabKit.Quizzes.Catalog;
using IotLabKit.Quizzes.Grading;
using IotLabKit.Quizzes.Sealing;

namespace IotLabKit.PowerShell.Tests.Quizzes;

public sealed class SealingTests
{
    private static readonly QuizSource Module08 = QuizSourceReader.ReadFile(RepoPaths.Module08Source).Quiz!;

    [Fact]
    public void OnlyTheCorrectLetterOpensTheSeal()
    {
        var quiz = QuizSealer.Seal(Module08);
        foreach (var (question, source) in quiz.Questions.Zip(Module08.Questions))
        {
            foreach (var option in question.Options)
            {
                Assert.Equal(option.Letter == source.Answer, question.Seal.Matches(quiz.Id, question.Question, option.Letter));
            }

            Assert.Equal(source.Explanation, question.Seal.OpenExplanation(quiz.Id, question.Question, source.Answer));
            var wrong = question.Options.First(o => o.Letter != source.Answer).Letter;
            Assert.ThrowsAny<CryptographicException>(() => question.Seal.OpenExplanation(quiz.Id, question.Question, wrong));
        }
    }

    [Fact]
    public void SealingIsReproducibleAndAnyEditChangesTheSeal()
    {
        var first = Bytes(QuizSealer.Seal(Module08));
        Assert.Equal(first, Bytes(QuizSealer.Seal(Module08)));

        var edited = Module08 with
        {
            Questions = [Module08.Questions[0] with { Explanation = Module08.Questions[0].Explanation + " More." }, .. Module08.Questions.Skip(1)],
        };
        var a = QuizSealer.Seal(Module08).Questions[0].Seal;
        var b = QuizSealer.Seal(edited).Questions[0].Seal;
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.NotEqual(a.Check, b.Check);
    }

    [Fact]
    public void TheSameAnswerLooksDifferentInEveryQuestion()
    {
        // 8.2, 8.3, 8.7, 8.8 and 8.9 all have answer A; per-question salts keep that from showing in the file.
        var quiz = QuizSealer.Seal(Module08);
        Assert.Equal(quiz.QuestionCount, quiz.Questions.Select(q => Convert.ToBase64String(q.Seal.Check)).Distinct().Count());
    }

    [Fact]
    public void TheSealedFileRoundTripsAndHidesTheKey()
    {
        var path = Path.Combine(Path.GetTempPath(), $"iotlabkit-{Guid.NewGuid():N}{SealedQuizFile.Extension}");
        try
        {
            SealedQuizFile.Write(QuizSealer.Seal(Module08), path);
            var text = File.ReadAllText(path);
            Assert.DoesNotContain("\"answer\"", text);
            Assert.All(Module08.Questions, q => Assert.DoesNotContain(q.Explanation[..40], text));

            var loaded = QuizCatalog.Load(path);
            Assert.Equal(Module08.Questions.Select(q => q.Text), loaded.Questions.Select(q => q.Text));
            var score = QuizGrader.Grade(loaded, Module08.Questions.ToDictionary(q => q.Id, q => (string?)q.Answer), "x");
            Assert.Equal(9, score.Score);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void GradingNormalisesLettersAndRejectsOthers()
    {
        var quiz = QuizSealer.Seal(Module08);
        Assert.True(QuizGrader.Check(quiz, "8.5", " c ").IsCorrect);
        var invalid = Assert.Throws<QuizException>(() => QuizGrader.Check(quiz, "8.5", "D"));
        Assert.Equal(QuizErrorKind.InvalidOption, invalid.Kind);
        var unknown = Assert.Throws<QuizException>(() => QuizGrader.Check(quiz, "8.0", "A"));
        Assert.Equal(QuizErrorKind.QuestionNotFound, unknown.Kind);
        Assert.Equal((3, 9), QuizGrader.ScoreOutcomes(quiz, ["8.1", "8.2", "8.3"]));
    }

    private static byte[] Bytes(IotLabKit.Quizzes.Quiz quiz)
    {
        using var stream = new MemoryStream();
        SealedQuizFile.Write(quiz, stream);
        return stream.ToArray();
    }
}
