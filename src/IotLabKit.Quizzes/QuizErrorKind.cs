namespace IotLabKit.Quizzes;

/// <summary>
/// Why a quiz operation failed. The names are part of the public contract: the cmdlets build their stable
/// error ids from them (<c>&lt;Command&gt;&lt;Kind&gt;</c>, e.g. <c>SubmitIotQuizQuestionNotFound</c>).
/// </summary>
public enum QuizErrorKind
{
    /// <summary>No quiz with the requested id in the searched folders.</summary>
    QuizNotFound,

    /// <summary>A folder holds several quizzes and none was chosen.</summary>
    QuizAmbiguous,

    /// <summary>A quiz file or folder given by path does not exist.</summary>
    QuizFileNotFound,

    /// <summary>A sealed quiz file cannot be read (bad JSON, wrong shape, damaged answer key).</summary>
    QuizFileInvalid,

    /// <summary>A quiz source (the authoring form) breaks the format rules.</summary>
    SourceInvalid,

    /// <summary>A question id that the quiz does not have.</summary>
    QuestionNotFound,

    /// <summary>An answer that is not one of the question's option letters.</summary>
    InvalidOption,

    /// <summary>An answers file that does not exist.</summary>
    AnswersFileNotFound,

    /// <summary>An answers file that is not JSON or not shaped like an answers file.</summary>
    AnswersFileInvalid,

    /// <summary>An answers file written for another quiz than the one requested.</summary>
    AnswersQuizMismatch,
}
