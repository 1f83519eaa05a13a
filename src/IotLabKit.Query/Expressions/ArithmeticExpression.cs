using System.Text;
using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary>
/// A chain of operators of one precedence level (<c>a + b - c</c>, <c>a * b / c</c>), evaluated left to right.
/// Kept flat rather than as nested binary nodes so a long chain cannot make evaluation recurse deeply.
/// </summary>
internal sealed class ArithmeticExpression(int offset, Expression first, ArithmeticOperator[] operators, Expression[] operands)
    : Expression(offset)
{
    public override IReadOnlyList<Expression> Children => [first, .. operands];

    public override Value Evaluate(JsonElement document)
    {
        var result = first.Evaluate(document);
        for (var i = 0; i < operators.Length; i++)
        {
            result = Operators.Arithmetic(operators[i], result, operands[i].Evaluate(document));
        }

        return result;
    }

    public override string ToString()
    {
        var text = new StringBuilder("(").Append(first);
        for (var i = 0; i < operators.Length; i++)
        {
            text.Append(' ').Append(Symbol(operators[i])).Append(' ').Append(operands[i]);
        }

        return text.Append(')').ToString();
    }

    private static string Symbol(ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => "+",
        ArithmeticOperator.Subtract => "-",
        ArithmeticOperator.Multiply => "*",
        ArithmeticOperator.Divide => "/",
        _ => "%",
    };
}
