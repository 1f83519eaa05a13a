namespace IotLabKit.Query;

/// <summary>
/// The text is not a well-formed query or condition: an unexpected token, an unterminated string, a bad escape,
/// nesting deeper than <see cref="QueryParser.MaxNestingDepth"/>, or a text longer than <see cref="QueryParser.MaxQueryLength"/>.
/// The message says where it failed, what was found and what was expected.
/// </summary>
public sealed class QuerySyntaxException : QueryException
{
    internal QuerySyntaxException(string message, string queryText, int offset, string? token, string? expected)
        : base(message, queryText, offset, token, expected)
    {
    }

    /// <summary>"expected FROM after the select list at position 15, found 'WHERE'".</summary>
    internal static QuerySyntaxException ExpectedButFound(string text, string expected, string context, int offset, string? found)
    {
        var foundText = found is null ? "found the end of the query" : $"found '{found}'";
        var message = $"Query syntax error: expected {expected}{context}{Where(text, offset)}, {foundText}.";
        return new QuerySyntaxException(message, text, offset, found, expected);
    }

    /// <summary>A syntax error that is not about one expected token (an unterminated string, a bad escape …).</summary>
    internal static QuerySyntaxException At(string text, string problem, int offset, string? token)
        => new($"Query syntax error: {problem}{Where(text, offset)}.", text, offset, token, null);
}
