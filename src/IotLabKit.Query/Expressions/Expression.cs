using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary>
/// A node of a parsed expression. Nodes are immutable once built, so one parsed query can be evaluated on many
/// threads at once. <see cref="ToString"/> gives a canonical text used to match SELECT elements to GROUP BY keys.
/// </summary>
internal abstract class Expression(int offset)
{
    /// <summary>0-based offset of the node's first token in the query text (for semantic errors).</summary>
    public int Offset { get; } = offset;

    /// <summary>The sub-expressions, for checks that walk the tree (aggregates where they are not allowed).</summary>
    public virtual IReadOnlyList<Expression> Children => [];

    public abstract Value Evaluate(JsonElement document);

    public abstract override string ToString();
}
