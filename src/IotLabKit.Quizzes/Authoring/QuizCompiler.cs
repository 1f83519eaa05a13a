using IotLabKit.Quizzes.Sealing;

namespace IotLabKit.Quizzes.Authoring;

/// <summary>The outcome of building one quiz source.</summary>
/// <param name="SourcePath">The source file.</param>
/// <param name="OutputPath">The sealed file written (or that would be written), null when the source has errors.</param>
/// <param name="Quiz">The sealed quiz, null when the source has errors.</param>
/// <param name="Diagnostics">Errors and warnings, with positions.</param>
/// <param name="Changed">False when the output already had exactly this content and was left untouched.</param>
public sealed record QuizBuildResult(
    string SourcePath, string? OutputPath, Quiz? Quiz, IReadOnlyList<QuizDiagnostic> Diagnostics, bool Changed)
{
    /// <summary>True when the source had no errors.</summary>
    public bool Succeeded => Quiz is not null;
}

/// <summary>Builds the shipped (sealed) form of quiz sources.</summary>
public static class QuizCompiler
{
    /// <summary>The file name ending of a quiz source.</summary>
    public const string SourceExtension = ".quiz.json";

    /// <summary>Validates a source and, when it has no errors, writes <c>&lt;id&gt;.quiz.sealed.json</c>.</summary>
    /// <param name="sourcePath">The <c>*.quiz.json</c> file.</param>
    /// <param name="outputDirectory">The folder to write to (created if missing).</param>
    /// <param name="write">False to validate only (for -WhatIf).</param>
    public static QuizBuildResult Build(string sourcePath, string outputDirectory, bool write = true)
    {
        var (source, diagnostics) = QuizSourceReader.ReadFile(sourcePath);
        if (source is null)
        {
            return new QuizBuildResult(sourcePath, null, null, diagnostics, false);
        }

        var outputPath = Path.GetFullPath(Path.Combine(outputDirectory, source.Id + SealedQuizFile.Extension));
        var quiz = QuizSealer.Seal(source, outputPath);
        var changed = true;
        if (write)
        {
            // Sealing is deterministic; leaving an identical file alone keeps incremental builds quiet.
            using var buffer = new MemoryStream();
            SealedQuizFile.Write(quiz, buffer);
            changed = !File.Exists(outputPath) || !File.ReadAllBytes(outputPath).AsSpan().SequenceEqual(buffer.ToArray());
            if (changed)
            {
                Directory.CreateDirectory(outputDirectory);
                var temp = outputPath + ".tmp";
                File.WriteAllBytes(temp, buffer.ToArray());
                File.Move(temp, outputPath, overwrite: true);
            }
        }

        return new QuizBuildResult(sourcePath, outputPath, quiz, diagnostics, changed);
    }
}
