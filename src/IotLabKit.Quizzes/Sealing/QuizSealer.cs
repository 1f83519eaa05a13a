using IotLabKit.Quizzes.Authoring;

namespace IotLabKit.Quizzes.Sealing;

/// <summary>Turns an authored quiz into the form that ships: same questions, answer key sealed.</summary>
public static class QuizSealer
{
    /// <summary>Seals every question of <paramref name="source"/>.</summary>
    /// <param name="source">A validated source.</param>
    /// <param name="path">The file the quiz will be known by, if any.</param>
    public static Quiz Seal(QuizSource source, string? path = null)
    {
        var questions = source.Questions.Select((q, i) =>
        {
            var salt = AnswerSeal.SaltFor(source.Id, q.Id, q.Text, q.Options, q.Answer, q.Explanation);
            var seal = AnswerSeal.Create(source.Id, q.Id, q.Answer, q.Explanation, salt);
            return new QuizQuestion(source.Id, q.Id, i + 1, q.Text, q.Options, q.Points, q.Tags, q.ShuffleOptions, seal);
        }).ToList();
        return new Quiz(source.Id, source.Title, source.Description, path, questions);
    }
}
