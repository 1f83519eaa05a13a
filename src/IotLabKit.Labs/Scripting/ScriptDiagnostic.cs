using System.Text;
using Microsoft.CodeAnalysis;

namespace IotLabKit.Labs.Scripting;

/// <summary>
/// A compiler message about a lab script, as a student should see it: file, line and column (1-based), the
/// compiler's id and text, and the student's own line with a caret under the spot.
/// </summary>
public sealed record ScriptDiagnostic(string Path, int Line, int Column, string Id, string Severity, string Message, string? SourceLine, int Length)
{
    /// <summary>Builds the record from Roslyn's diagnostic, reading the source line from the file it names.</summary>
    public static ScriptDiagnostic From(Diagnostic diagnostic, string scriptPath)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        var path = string.IsNullOrEmpty(span.Path) ? scriptPath : span.Path;
        var line = span.StartLinePosition.Line;
        var column = span.StartLinePosition.Character;
        var length = span.EndLinePosition.Line == line ? Math.Max(1, span.EndLinePosition.Character - column) : 1;
        var source = diagnostic.Location.IsInSource ? SourceLineOf(path, line) : null;
        return new ScriptDiagnostic(path, line + 1, column + 1, diagnostic.Id,
            diagnostic.Severity.ToString().ToLowerInvariant(), diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), source, length);
    }

    /// <summary>The header line: <c>x.csx(12,9): error CS0103: …</c> (the form editors turn into links).</summary>
    public string Header => $"{System.IO.Path.GetFileName(Path)}({Line},{Column}): {Severity} {Id}: {Message}";

    /// <summary>The header, then the source line and a caret line (when the source is known).</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Header);
        if (SourceLine is null) return text.ToString();
        var gutter = Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        text.AppendLine().Append(' ').Append(gutter).Append(" | ").Append(SourceLine);
        text.AppendLine().Append(' ').Append(' ', gutter.Length).Append(" | ").Append(Caret(SourceLine, Column - 1, Length));
        return text.ToString();
    }

    // Tabs stay tabs so the caret lines up whatever the terminal's tab width.
    private static string Caret(string source, int column, int length)
    {
        var caret = new StringBuilder();
        for (var i = 0; i < column && i < source.Length; i++) caret.Append(source[i] == '\t' ? '\t' : ' ');
        caret.Append('^', Math.Max(1, Math.Min(length, Math.Max(1, source.Length - column))));
        return caret.ToString();
    }

    internal static string? SourceLineOf(string path, int zeroBasedLine)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return zeroBasedLine >= 0 && zeroBasedLine < lines.Length ? lines[zeroBasedLine] : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
