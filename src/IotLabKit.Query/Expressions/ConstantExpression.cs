using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary>A literal (string, number, true, false, null, undefined) or an array constant.</summary>
internal sealed class ConstantExpression(int offset, Value value, Value[]? elements = null) : Expression(offset)
{
    public Value Value { get; } = value;

    /// <summary>An array constant's elements as values (for IN and NIN); empty for other literals.</summary>
    public Value[] Elements { get; } = elements ?? [];

    public override Value Evaluate(JsonElement document) => Value;

    public override string ToString() => Value.ToString();
}
