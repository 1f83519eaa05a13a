using System.Management.Automation;
using IotLabKit.PowerShell.Errors;
using IotLabKit.Quizzes.Authoring;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// <para type="synopsis">Checks quiz sources and builds their shipped form, with the answer key sealed.</para>
/// </summary>
// "Build" is an approved verb (Lifecycle) since PowerShell 6; PowerShell Standard 5.1 has no constant for it.
[Cmdlet("Build", "IotQuiz", SupportsShouldProcess = true)]
[OutputType(typeof(Quizzes.Quiz))]
public sealed class BuildIotQuizCommand : QuizCmdlet
{
    /// <summary>Quiz source files (*.quiz.json) or folders of them; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The folder to write &lt;id&gt;.quiz.sealed.json files to.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string OutputPath { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var output = OutputFilePath(OutputPath);
        foreach (var location in ResolvePaths(Path))
        {
            var sources = Directory.Exists(location)
                ? Directory.EnumerateFiles(location, "*" + QuizCompiler.SourceExtension).Order(StringComparer.Ordinal).ToList()
                : [location];
            foreach (var source in sources)
            {
                BuildOne(source, output);
            }
        }
    }

    private void BuildOne(string source, string output)
    {
        if (!File.Exists(source))
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "SourceNotFound", ErrorCategory.ObjectNotFound,
                $"No quiz source at '{source}'.", source));
            return;
        }

        var write = ShouldProcess(source, $"Build the sealed quiz into '{output}'");
        QuizBuildResult result;
        try
        {
            result = QuizCompiler.Build(source, output, write);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorRecordFactory.Create(CommandId, "OutputWriteFailed", ErrorCategory.WriteError,
                $"Cannot build '{source}' into '{output}': {ex.Message}", source, ex));
            return;
        }

        foreach (var diagnostic in result.Diagnostics)
        {
            if (diagnostic.Severity == QuizDiagnosticSeverity.Warning)
            {
                WriteWarning(diagnostic.Format(source));
            }
            else
            {
                // One record per finding: each names its line and field, and scripts can collect them all.
                WriteError(ErrorRecordFactory.Create(CommandId, "SourceInvalid", ErrorCategory.InvalidData,
                    diagnostic.Format(source), diagnostic,
                    recommendedAction: "Fix the field named in the message; quizzes/README.md describes the format."));
            }
        }

        if (result.Succeeded && write)
        {
            WriteVerbose($"{(result.Changed ? "Sealed" : "Up to date")}: {result.OutputPath}");
            WriteObject(result.Quiz);
        }
    }
}
