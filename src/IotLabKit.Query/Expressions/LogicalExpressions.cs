using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary><c>a AND b AND …</c> (flat): false if any operand is false, true if all are true, else undefined.</summary>
internal sealed class AndExpression(int offset, Expression[] operands) : Expression(offset)
{
    public override IReadOnlyList<Expression> Children => operands;

    public override Value Evaluate(JsonElement document)
    {
        var allTrue = true;
        foreach (var operand in operands)
        {
            var value = operand.Evaluate(document);
            if (value.Kind == ValueKind.Boolean && !value.Boolean)
            {
                return Value.False;
            }

            allTrue &= value.IsTrue;
        }

        return allTrue ? Value.True : Value.Undefined;
    }

    public override string ToString() => $"({string.Join(" AND ", operands.Select(o => o.ToString()))})";
}

/// <summary><c>a OR b OR …</c> (flat): true if any operand is true, false if all are false, else undefined.</summary>
internal sealed class OrExpression(int offset, Expression[] operands) : Expression(offset)
{
    public override IReadOnlyList<Expression> Children => operands;

    public override Value Evaluate(JsonElement document)
    {
        var allFalse = true;
        foreach (var operand in operands)
        {
            var value = operand.Evaluate(document);
            if (value.IsTrue)
            {
                return Value.True;
            }

            allFalse &= value.Kind == ValueKind.Boolean;
        }

        return allFalse ? Value.False : Value.Undefined;
    }

    public override string ToString() => $"({string.Join(" OR ", operands.Select(o => o.ToString()))})";
}
