using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

internal enum AggregateKind
{
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// <summary>
/// <c>COUNT()</c>, <c>SUM(x)</c>, <c>AVG(x)</c>, <c>MIN(x)</c>, <c>MAX(x)</c>. Only allowed as a whole SELECT element;
/// the executor folds it over a group with an <see cref="Aggregator"/>, so it has no per-document value.
/// </summary>
internal sealed class AggregateExpression(int offset, AggregateKind kind, Expression? argument) : Expression(offset)
{
    public AggregateKind Kind { get; } = kind;

    public Expression? Argument { get; } = argument;

    public override IReadOnlyList<Expression> Children => Argument is null ? [] : [Argument];

    public override Value Evaluate(JsonElement document) => Value.Undefined;

    public override string ToString() => $"{Kind.ToString().ToUpperInvariant()}({Argument})";
}
