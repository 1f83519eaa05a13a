namespace IotLabKit.Query;

/// <summary>
/// The text parses but asks for something the query language does not allow: an unknown function, an aggregate
/// in WHERE, a projection on <c>devices.jobs</c>, ORDER BY, a select element that is not grouped, and the like.
/// </summary>
public sealed class QuerySemanticException : QueryException
{
    internal QuerySemanticException(string message, string queryText, int offset, string? token)
        : base(message, queryText, offset, token, null)
    {
    }

    /// <summary>An error pinned to a token: "unknown function 'FOO' at position 31".</summary>
    internal static QuerySemanticException At(string text, string problem, int offset, string? token)
        => new($"Invalid query: {problem}{Where(text, offset)}.", text, offset, token);
}
