namespace IotLabKit.Query;

/// <summary>
/// The one kind of failure the query engine reports: the query or condition text is not valid. Parsing throws
/// nothing else for any input string; evaluation never throws. Catch this type to answer with IoT Hub's
/// bad-request error.
/// </summary>
public abstract class QueryException : Exception
{
    private protected QueryException(string message, string queryText, int offset, string? token, string? expected)
        : base(message)
    {
        QueryText = queryText;
        Token = token;
        Expected = expected;
        if (offset < 0)
        {
            return;
        }

        Position = offset + 1;
        (Line, Column) = LineAndColumn(queryText, offset);
    }

    /// <summary>The text that failed to parse.</summary>
    public string QueryText { get; }

    /// <summary>1-based character position in <see cref="QueryText"/> where it failed; 0 when the error concerns the whole text.</summary>
    public int Position { get; }

    /// <summary>1-based line of <see cref="Position"/>; 0 when there is no position.</summary>
    public int Line { get; }

    /// <summary>1-based column within <see cref="Line"/>; 0 when there is no position.</summary>
    public int Column { get; }

    /// <summary>The offending token as written, or null when the text ended too early or there is no single token.</summary>
    public string? Token { get; }

    /// <summary>What the parser expected there (e.g. <c>FROM</c>), when that is known.</summary>
    public string? Expected { get; }

    /// <summary>Formats "at position 15" (with line and column when the text has several lines).</summary>
    private protected static string Where(string text, int offset)
    {
        if (offset < 0)
        {
            return string.Empty;
        }

        var (line, column) = LineAndColumn(text, offset);
        return line > 1 || text.Contains('\n')
            ? $" at position {offset + 1} (line {line}, column {column})"
            : $" at position {offset + 1}";
    }

    private static (int Line, int Column) LineAndColumn(string text, int offset)
    {
        int line = 1, lineStart = 0;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }
}
