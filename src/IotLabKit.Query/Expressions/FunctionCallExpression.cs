using System.Runtime.CompilerServices;
using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary>A call of a scalar function from <see cref="Functions"/> (IS_DEFINED, STARTSWITH, LOWER, ABS …).</summary>
internal sealed class FunctionCallExpression(int offset, FunctionDefinition function, Expression[] arguments) : Expression(offset)
{
    private const int InlineArguments = 4;

    public override IReadOnlyList<Expression> Children => arguments;

    public override Value Evaluate(JsonElement document)
    {
        // Most functions take one to three arguments: evaluate them into a stack buffer, not a new array per document.
        if (arguments.Length <= InlineArguments)
        {
            var buffer = default(ArgumentBuffer);
            Span<Value> values = buffer;
            for (var i = 0; i < arguments.Length; i++)
            {
                values[i] = arguments[i].Evaluate(document);
            }

            return function.Body(values[..arguments.Length]);
        }

        var many = new Value[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            many[i] = arguments[i].Evaluate(document);
        }

        return function.Body(many);
    }

    public override string ToString() => $"{function.Name}({string.Join(", ", arguments.Select(a => a.ToString()))})";

    [InlineArray(InlineArguments)]
    private struct ArgumentBuffer
    {
        private Value _first;
    }
}
