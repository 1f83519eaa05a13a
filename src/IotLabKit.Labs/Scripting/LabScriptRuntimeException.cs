using System.Text;
using System.Text.RegularExpressions;

namespace IotLabKit.Labs.Scripting;

/// <summary>
/// A lab script threw: the exception's type and message, and only the script's own stack frames (file and line,
/// with the student's line), never the runner's or the runtime's.
/// </summary>
public sealed partial class LabScriptRuntimeException : Exception
{
    /// <summary>Wraps what <paramref name="path"/> threw.</summary>
    public LabScriptRuntimeException(string path, Exception thrown)
        : base(Describe(path, thrown, out var frames), thrown)
    {
        Path = path;
        ScriptFrames = frames;
    }

    /// <summary>The script file.</summary>
    public string Path { get; }

    /// <summary>The script's frames, innermost first ("line 12: deviceClient.SendEventAsync(...)").</summary>
    public IReadOnlyList<string> ScriptFrames { get; }

    private static string Describe(string path, Exception thrown, out IReadOnlyList<string> frames)
    {
        var list = new List<string>();
        foreach (Match match in Frame().Matches(thrown.StackTrace ?? ""))
        {
            var file = match.Groups["file"].Value;
            if (!file.EndsWith(".csx", StringComparison.OrdinalIgnoreCase)) continue;
            var line = int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var member = match.Groups["member"].Value;
            var where = member.Contains("<Initialize>", StringComparison.Ordinal) ? "" : $" in {Simplify(member)}";
            var source = ScriptDiagnostic.SourceLineOf(file, line - 1)?.Trim();
            list.Add($"{System.IO.Path.GetFileName(file)}, line {line}{where}" + (source is null ? "" : $": {source}"));
        }
        frames = list;
        var text = new StringBuilder($"The script '{System.IO.Path.GetFileName(path)}' failed: {thrown.GetType().Name}: {thrown.Message}");
        foreach (var frame in list) text.AppendLine().Append("   at ").Append(frame);
        return text.ToString();
    }

    // "Submission#0.SetFanState(MethodRequest, Object)" → "SetFanState"; async state machines show their method.
    private static string Simplify(string member)
    {
        var name = member.Replace("Submission#0.", "", StringComparison.Ordinal);
        var async = AsyncMethod().Match(name);
        if (async.Success) return async.Groups[1].Value;
        var paren = name.IndexOf('(');
        return paren > 0 ? name[..paren] : name;
    }

    [GeneratedRegex(@"at (?<member>.+?) in (?<file>.+?):line (?<line>\d+)")]
    private static partial Regex Frame();

    [GeneratedRegex(@"<(\w+)>d__\d+")]
    private static partial Regex AsyncMethod();
}
