using System.Management.Automation;
using IotLabKit.PowerShell.Errors;
using IotLabKit.Quizzes;
using IotLabKit.Quizzes.Catalog;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// The base of the quiz cmdlets: where quizzes are found (the module's quizzes/ folder, IOTLABKIT_QUIZ_PATH, or
/// -Path), PowerShell paths to file-system paths, and quiz failures to error records.
/// </summary>
public abstract class QuizCmdlet : IotLabKitCmdlet
{
    /// <summary>The folder of the module's assembly; shipped quizzes live in its quizzes/ subfolder.</summary>
    internal static string ModuleDirectory =>
        System.IO.Path.GetDirectoryName(typeof(QuizCmdlet).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>The folders searched when the user gives no path.</summary>
    internal static IReadOnlyList<string> DefaultLocations => QuizCatalog.DefaultLocations(ModuleDirectory);

    /// <summary>Finds one quiz by id in the default folders, or at the given PowerShell paths.</summary>
    /// <exception cref="QuizException">Not found, ambiguous or unreadable.</exception>
    protected Quizzes.Quiz ResolveQuiz(string? id, string[]? paths)
    {
        var locations = paths is { Length: > 0 } ? ResolvePaths(paths) : DefaultLocations;
        return QuizCatalog.Resolve(locations, id, requireExisting: paths is { Length: > 0 });
    }

    /// <summary>PowerShell paths (relative, wildcards, PSDrives) to file-system paths. Missing paths stay as given.</summary>
    protected List<string> ResolvePaths(IEnumerable<string> paths)
    {
        var result = new List<string>();
        foreach (var path in paths)
        {
            if (WildcardPattern.ContainsWildcardCharacters(path))
            {
                try
                {
                    result.AddRange(SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _));
                    continue;
                }
                catch (ItemNotFoundException)
                {
                    // Fall through: the unresolved path makes the "not found" message name what the user typed.
                }
            }

            result.Add(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
        }

        return result;
    }

    /// <summary>A PowerShell path for a file to be written, as a file-system path.</summary>
    protected string OutputFilePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Stops the command with the record for a quiz failure.</summary>
    protected void Fail(QuizException exception) => ThrowTerminatingError(ToErrorRecord(exception));

    /// <summary>Reports a quiz failure for one item and lets the pipeline go on.</summary>
    protected void WriteFailure(QuizException exception) => WriteError(ToErrorRecord(exception));

    /// <summary>Writes a file the user asked for, turning I/O failures into a WriteError record.</summary>
    protected bool TryWriteFile(string path, Action<string> write, object? target)
    {
        try
        {
            var directory = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            write(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "OutputWriteFailed", ErrorCategory.WriteError,
                $"Cannot write '{path}': {ex.Message}", target, ex));
            return false;
        }
    }

    /// <summary>The one mapping from quiz failures to error ids and categories.</summary>
    private ErrorRecord ToErrorRecord(QuizException exception)
    {
        var category = exception.Kind switch
        {
            QuizErrorKind.QuizNotFound or QuizErrorKind.QuizFileNotFound or QuizErrorKind.QuestionNotFound
                or QuizErrorKind.AnswersFileNotFound => ErrorCategory.ObjectNotFound,
            QuizErrorKind.InvalidOption or QuizErrorKind.QuizAmbiguous or QuizErrorKind.AnswersQuizMismatch
                => ErrorCategory.InvalidArgument,
            _ => ErrorCategory.InvalidData,
        };
        var record = new ErrorRecord(exception, CommandId + exception.Kind, category, exception.Target);
        var hint = exception.Kind switch
        {
            QuizErrorKind.QuizNotFound => "List the quizzes with Get-IotQuiz.",
            QuizErrorKind.QuestionNotFound => "List the questions with (Get-IotQuiz -Quiz <id>).Questions.",
            QuizErrorKind.QuizAmbiguous => "Name the quiz with -Quiz.",
            QuizErrorKind.SourceInvalid => "Fix the listed fields; quizzes/README.md describes the format.",
            _ => null,
        };
        if (hint is not null)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = hint };
        }

        return record;
    }
}
