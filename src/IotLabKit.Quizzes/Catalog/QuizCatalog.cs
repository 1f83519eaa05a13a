using System.Text.Json;
using IotLabKit.Quizzes.Authoring;
using IotLabKit.Quizzes.Sealing;

namespace IotLabKit.Quizzes.Catalog;

/// <summary>Finds and loads quizzes from files and folders.</summary>
public static class QuizCatalog
{
    /// <summary>
    /// Extra folders (separated by the platform's path separator) searched before the module's own quizzes, so a
    /// class can add or override quizzes without touching the module.
    /// </summary>
    public const string PathVariable = "IOTLABKIT_QUIZ_PATH";

    /// <summary>The folders searched when no path is given: <see cref="PathVariable"/>, then the module's quizzes.</summary>
    /// <param name="moduleDirectory">The folder of the module's assembly.</param>
    public static IReadOnlyList<string> DefaultLocations(string moduleDirectory)
    {
        var locations = (Environment.GetEnvironmentVariable(PathVariable) ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        locations.Add(Path.Combine(moduleDirectory, "quizzes"));
        return locations;
    }

    /// <summary>
    /// Loads every quiz at the given locations: a file is loaded as it is (sealed, or a source built in memory);
    /// a folder contributes its <c>*.quiz.sealed.json</c> files. Earlier locations win when ids repeat.
    /// </summary>
    /// <returns>The quizzes, and the files that could not be loaded (one exception each).</returns>
    public static (IReadOnlyList<Quiz> Quizzes, IReadOnlyList<QuizException> Errors) Scan(IEnumerable<string> locations, bool requireExisting)
    {
        var quizzes = new List<Quiz>();
        var errors = new List<QuizException>();
        foreach (var location in locations)
        {
            IEnumerable<string> files;
            if (Directory.Exists(location))
            {
                files = Directory.EnumerateFiles(location, "*" + SealedQuizFile.Extension).Order(StringComparer.Ordinal);
            }
            else if (File.Exists(location))
            {
                files = [location];
            }
            else
            {
                if (requireExisting)
                {
                    errors.Add(new QuizException(QuizErrorKind.QuizFileNotFound, $"No quiz file or folder at '{location}'.", location));
                }

                continue;
            }

            foreach (var file in files)
            {
                try
                {
                    var quiz = Load(file);
                    if (quizzes.All(q => q.Id != quiz.Id))
                    {
                        quizzes.Add(quiz);
                    }
                }
                catch (QuizException ex)
                {
                    errors.Add(ex);
                }
            }
        }

        return (quizzes, errors);
    }

    /// <summary>Finds one quiz at the given locations.</summary>
    /// <param name="locations">Files and folders to search.</param>
    /// <param name="id">The quiz id; may be null when the locations hold exactly one quiz.</param>
    /// <param name="requireExisting">True when the locations were given by the user and must exist.</param>
    /// <exception cref="QuizException">No such quiz, several quizzes and no id, or a file that cannot be read.</exception>
    public static Quiz Resolve(IEnumerable<string> locations, string? id, bool requireExisting)
    {
        var (quizzes, errors) = Scan(locations, requireExisting);
        if (string.IsNullOrWhiteSpace(id))
        {
            if (quizzes.Count == 1 && errors.Count == 0)
            {
                return quizzes[0];
            }

            if (errors.Count > 0)
            {
                throw errors[0];
            }

            throw quizzes.Count == 0
                ? new QuizException(QuizErrorKind.QuizNotFound, "No quiz was found there.", null)
                : new QuizException(QuizErrorKind.QuizAmbiguous, $"There are {quizzes.Count} quizzes there ({string.Join(", ", quizzes.Select(q => q.Id))}); choose one with -Quiz.", null);
        }

        var match = quizzes.FirstOrDefault(q => string.Equals(q.Id, id.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return match;
        }

        // A damaged file may be the quiz the user asked for: say so rather than "not found".
        var damaged = errors.FirstOrDefault(e => e.Kind != QuizErrorKind.QuizFileNotFound);
        if (damaged is not null && quizzes.Count == 0)
        {
            throw damaged;
        }

        var known = quizzes.Count == 0 ? "no quizzes were found" : "available: " + string.Join(", ", quizzes.Select(q => q.Id));
        throw errors.FirstOrDefault(e => e.Kind == QuizErrorKind.QuizFileNotFound)
            ?? new QuizException(QuizErrorKind.QuizNotFound, $"There is no quiz '{id}' ({known}). List quizzes with Get-IotQuiz.", id);
    }

    /// <summary>Loads one quiz file: a sealed quiz, or a source that is validated and sealed in memory.</summary>
    /// <exception cref="QuizException">The file is missing, not JSON, an invalid source or a damaged sealed quiz.</exception>
    public static Quiz Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new QuizException(QuizErrorKind.QuizFileNotFound, $"No quiz file at '{path}'.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuizException(QuizErrorKind.QuizFileInvalid, $"Cannot read the quiz file '{path}': {ex.Message}", path, ex);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0));
        }
        catch (JsonException ex)
        {
            throw new QuizException(QuizErrorKind.QuizFileInvalid, $"The quiz file '{path}' is not valid JSON (line {(ex.LineNumber ?? 0) + 1}).", path, ex);
        }

        using (document)
        {
            if (SealedQuizFile.IsSealed(document.RootElement))
            {
                return SealedQuizFile.Read(document.RootElement, path);
            }
        }

        var (source, diagnostics) = QuizSourceReader.Read(bytes);
        if (source is null)
        {
            var errors = diagnostics.Where(d => d.Severity == QuizDiagnosticSeverity.Error).Select(d => d.Format(path));
            throw new QuizException(QuizErrorKind.SourceInvalid, $"The quiz source '{path}' has errors:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}", path);
        }

        return QuizSealer.Seal(source, path);
    }
}
