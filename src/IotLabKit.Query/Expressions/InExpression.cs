using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary><c>x IN [..]</c> and <c>x NIN [..]</c> (also written <c>x NOT IN [..]</c>) against an array constant.</summary>
internal sealed class InExpression(int offset, Expression operand, Value[] candidates, bool negated) : Expression(offset)
{
    public override IReadOnlyList<Expression> Children => [operand];

    public override Value Evaluate(JsonElement document)
    {
        var found = Operators.In(operand.Evaluate(document), candidates);
        return negated ? Operators.Not(found) : found;
    }

    public override string ToString()
        => $"({operand} {(negated ? "NIN" : "IN")} [{string.Join(", ", candidates.Select(c => c.ToString()))}])";
}
