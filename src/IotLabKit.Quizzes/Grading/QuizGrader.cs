namespace IotLabKit.Quizzes.Grading;

/// <summary>The one place that decides whether an answer is right and what a set of answers scores.</summary>
public static class QuizGrader
{
    /// <summary>Checks one answer and reveals the explanation.</summary>
    /// <exception cref="QuizException">Unknown question, invalid option letter, or a damaged answer key.</exception>
    public static QuizAnswerResult Check(Quiz quiz, string questionId, string answer)
    {
        var question = quiz.GetQuestion(questionId);
        return Check(question, question.NormalizeAnswer(answer));
    }

    /// <summary>Grades a set of answers. Questions without an answer score 0.</summary>
    /// <param name="quiz">The quiz.</param>
    /// <param name="answers">Question id to option letter (null = unanswered).</param>
    /// <param name="student">Who answered, if known.</param>
    /// <exception cref="QuizException">An answer names an unknown question or is not an option letter.</exception>
    public static QuizScore Grade(Quiz quiz, IReadOnlyDictionary<string, string?> answers, string? student)
    {
        var byQuestion = new Dictionary<QuizQuestion, string?>();
        foreach (var (questionId, answer) in answers)
        {
            var question = quiz.GetQuestion(questionId);
            if (byQuestion.ContainsKey(question))
            {
                throw new QuizException(QuizErrorKind.AnswersFileInvalid, $"Question {question.Question} is answered twice.", questionId);
            }

            byQuestion[question] = answer is null ? null : NormalizeFor(question, answer);
        }

        var results = quiz.Questions.Select(q => Check(q, byQuestion.GetValueOrDefault(q))).ToList();
        return new QuizScore(quiz, student, results, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Scores outcomes decided elsewhere (the Pester grader): each passed question earns its points.
    /// </summary>
    /// <returns>Points earned and points available.</returns>
    public static (int Score, int MaxScore) ScoreOutcomes(Quiz quiz, IEnumerable<string> passedQuestionIds)
    {
        var passed = new HashSet<string>(passedQuestionIds, StringComparer.OrdinalIgnoreCase);
        return (quiz.Questions.Where(q => passed.Contains(q.Question)).Sum(q => q.Points), quiz.MaxScore);
    }

    private static string NormalizeFor(QuizQuestion question, string answer)
    {
        try
        {
            return question.NormalizeAnswer(answer);
        }
        catch (QuizException ex)
        {
            throw new QuizException(ex.Kind, $"Question {question.Question}: {ex.Message}", answer);
        }
    }

    private static QuizAnswerResult Check(QuizQuestion question, string? answer)
    {
        var correct = CorrectLetter(question);
        return new QuizAnswerResult(question, answer, correct, question.Seal.OpenExplanation(question.Quiz, question.Question, correct));
    }

    private static string CorrectLetter(QuizQuestion question)
    {
        foreach (var option in question.Options)
        {
            if (question.Seal.Matches(question.Quiz, question.Question, option.Letter))
            {
                return option.Letter;
            }
        }

        throw new QuizException(
            QuizErrorKind.QuizFileInvalid,
            $"The answer key of question {question.Question} in quiz '{question.Quiz}' matches none of its options; the quiz file was edited after it was built. Rebuild it with Build-IotQuiz.",
            question.Quiz);
    }
}
