using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Query.Expressions;

namespace IotLabKit.Query;

/// <summary>
/// A parsed stand-alone condition: a job's <c>queryCondition</c> or a configuration's <c>targetCondition</c>.
/// Made by <see cref="QueryParser.ParseCondition"/>. Immutable and safe to use from several threads at once.
/// </summary>
public sealed class QueryCondition
{
    private readonly Expression? _condition;

    internal QueryCondition(string text, QueryCollection collection, Expression? condition)
    {
        Text = text;
        Collection = collection;
        _condition = condition;
    }

    /// <summary>The condition text as given.</summary>
    public string Text { get; }

    /// <summary>
    /// The collection the condition is about: <see cref="QueryCollection.Devices"/> unless the text began with
    /// <c>FROM devices.modules WHERE</c> (module configurations) or another FROM clause.
    /// </summary>
    public QueryCollection Collection { get; }

    /// <summary>True for <c>*</c> (or a bare FROM clause): every document matches.</summary>
    public bool MatchesAll => _condition is null;

    /// <summary>True when the compact document satisfies the condition. Only Boolean true satisfies it.</summary>
    /// <param name="document">A twin, module twin or device-job document (see <see cref="CompactJson"/>).</param>
    public bool Matches(JsonElement document) => _condition is null || _condition.Evaluate(document).IsTrue;

    /// <summary>True when the node document satisfies the condition (read once into a compact copy to evaluate).</summary>
    /// <param name="document">A twin, module twin or device-job document.</param>
    public bool Matches(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return _condition is null || _condition.Evaluate(CompactJson.FromNode(document)).IsTrue;
    }

    /// <summary>The condition text.</summary>
    public override string ToString() => Text;
}
