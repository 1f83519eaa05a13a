namespace IotLabKit.Labs.Scripting;

/// <summary>A lab script does not compile: its errors, each with file, line, column and the student's line.</summary>
public sealed class LabScriptCompilationException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public LabScriptCompilationException(string path, IReadOnlyList<ScriptDiagnostic> errors)
        : base($"The script '{System.IO.Path.GetFileName(path)}' does not compile ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):"
               + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
    {
        Path = path;
        Errors = errors;
    }

    /// <summary>The script file.</summary>
    public string Path { get; }

    /// <summary>The compiler's errors in source order.</summary>
    public IReadOnlyList<ScriptDiagnostic> Errors { get; }
}
