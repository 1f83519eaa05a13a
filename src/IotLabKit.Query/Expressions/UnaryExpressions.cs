using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary><c>NOT x</c>: true ↔ false; anything that is not a Boolean gives undefined.</summary>
internal sealed class NotExpression(int offset, Expression operand) : Expression(offset)
{
    public override IReadOnlyList<Expression> Children => [operand];

    public override Value Evaluate(JsonElement document) => Operators.Not(operand.Evaluate(document));

    public override string ToString() => $"(NOT {operand})";
}

/// <summary><c>-x</c> on a number; anything else gives undefined.</summary>
internal sealed class NegateExpression(int offset, Expression operand) : Expression(offset)
{
    public override IReadOnlyList<Expression> Children => [operand];

    public override Value Evaluate(JsonElement document) => Operators.Negate(operand.Evaluate(document));

    public override string ToString() => $"(-{operand})";
}
