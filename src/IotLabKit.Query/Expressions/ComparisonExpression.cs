using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary><c>a = b</c>, <c>!=</c>/<c>&lt;&gt;</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> under the rules in <see cref="Operators.Compare"/>.</summary>
internal sealed class ComparisonExpression(int offset, ComparisonOperator op, Expression left, Expression right) : Expression(offset)
{
    public override IReadOnlyList<Expression> Children => [left, right];

    public override Value Evaluate(JsonElement document)
        => Operators.Compare(op, left.Evaluate(document), right.Evaluate(document));

    public override string ToString() => $"({left} {Symbol(op)} {right})";

    private static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        _ => ">=",
    };
}
