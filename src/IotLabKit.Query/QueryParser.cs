using IotLabKit.Query.Syntax;

namespace IotLabKit.Query;

/// <summary>
/// The one entry point of the IoT Hub query language. Parsing is the only step that can fail, and it fails
/// only with a <see cref="QueryException"/> (<see cref="QuerySyntaxException"/> or <see cref="QuerySemanticException"/>)
/// that says where and why; the parsed objects then evaluate any document without throwing.
/// </summary>
public static class QueryParser
{
    /// <summary>The longest query or condition accepted, in characters (IoT Hub's documented limit).</summary>
    public const int MaxQueryLength = 8192;

    /// <summary>How deeply parentheses, NOT, signs, function calls and array constants may nest.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>
    /// Parses a full query: <c>SELECT [TOP n] * | elements FROM devices | devices.modules | devices.jobs
    /// [WHERE condition] [GROUP BY keys]</c>.
    /// </summary>
    /// <param name="query">The query text; null or blank is a syntax error.</param>
    /// <exception cref="QuerySyntaxException">The text is not well formed, or too long.</exception>
    /// <exception cref="QuerySemanticException">The text asks for something the language does not allow.</exception>
    public static IotHubQuery Parse(string query) => Parser.ParseQuery(query);

    /// <summary>
    /// Parses a stand-alone condition: <c>*</c> (everything), a WHERE-clause body such as
    /// <c>tags.building = '43' AND deviceId IN ['d1','d2']</c>, or <c>FROM devices.modules WHERE …</c>.
    /// </summary>
    /// <param name="condition">The condition text; null or blank is a syntax error.</param>
    /// <exception cref="QuerySyntaxException">The text is not well formed, or too long.</exception>
    /// <exception cref="QuerySemanticException">The text asks for something the language does not allow (e.g. an aggregate).</exception>
    public static QueryCondition ParseCondition(string condition) => Parser.ParseCondition(condition);

    /// <summary>Parses a query, returning false with the reason instead of throwing.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="result">The parsed query, or null.</param>
    /// <param name="error">Why it failed, or null.</param>
    public static bool TryParse(string query, out IotHubQuery? result, out QueryException? error)
    {
        try
        {
            result = Parser.ParseQuery(query);
            error = null;
            return true;
        }
        catch (QueryException e)
        {
            result = null;
            error = e;
            return false;
        }
    }
}
