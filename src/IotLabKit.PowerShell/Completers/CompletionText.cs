using System.Management.Automation;

namespace IotLabKit.PowerShell.Completers;

/// <summary>How completers read what was typed and write a value so PowerShell reads it back as typed.</summary>
internal static class CompletionText
{
    /// <summary>A case-insensitive prefix pattern from the typed word (quotes stripped, wildcards allowed).</summary>
    public static WildcardPattern Pattern(string? wordToComplete)
        => new((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);

    /// <summary>The value, single-quoted when it holds a character PowerShell would read otherwise.</summary>
    public static string Quote(string value)
        => value.IndexOfAny([' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '@', '#', '|', '&']) >= 0
            ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : value;
}
