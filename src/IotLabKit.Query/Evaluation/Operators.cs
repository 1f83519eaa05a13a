namespace IotLabKit.Query.Evaluation;

internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

internal enum ArithmeticOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

/// <summary>
/// The one place for the language's value rules (documented in README.md): comparisons are between values of
/// the same type only, anything else is undefined; logic is three-valued (true, false, undefined); arithmetic
/// is on numbers only.
/// </summary>
internal static class Operators
{
    public static Value Compare(ComparisonOperator op, in Value left, in Value right)
    {
        if (left.Kind != right.Kind || left.IsUndefined)
        {
            return Value.Undefined;
        }

        switch (left.Kind)
        {
            case ValueKind.Null:
                return op switch
                {
                    ComparisonOperator.Equal => Value.True,
                    ComparisonOperator.NotEqual => Value.False,
                    _ => Value.Undefined,
                };
            case ValueKind.Boolean:
                return op switch
                {
                    ComparisonOperator.Equal => Value.FromBoolean(left.Boolean == right.Boolean),
                    ComparisonOperator.NotEqual => Value.FromBoolean(left.Boolean != right.Boolean),
                    _ => Value.Undefined,
                };
            case ValueKind.Number:
                return Value.FromBoolean(Test(op, left.Number.CompareTo(right.Number)));
            case ValueKind.String:
                if (op is ComparisonOperator.Equal or ComparisonOperator.NotEqual)
                {
                    return Value.FromBoolean(Value.StringEquals(left, right) == (op == ComparisonOperator.Equal));
                }

                return Value.FromBoolean(Test(op, string.CompareOrdinal(left.AsString(), right.AsString())));
            default:
                // Objects and arrays do not compare.
                return Value.Undefined;
        }
    }

    /// <summary><c>x IN [a, b]</c> is <c>x = a OR x = b</c>: true on any match, undefined if some test was undefined, else false.</summary>
    public static Value In(in Value value, Value[] candidates)
    {
        if (value.IsUndefined)
        {
            return Value.Undefined;
        }

        var sawUndefined = false;
        foreach (var candidate in candidates)
        {
            var equal = Compare(ComparisonOperator.Equal, value, candidate);
            if (equal.IsTrue)
            {
                return Value.True;
            }

            sawUndefined |= equal.IsUndefined;
        }

        return sawUndefined ? Value.Undefined : Value.False;
    }

    public static Value Not(in Value value)
        => value.Kind == ValueKind.Boolean ? Value.FromBoolean(!value.Boolean) : Value.Undefined;

    public static Value Arithmetic(ArithmeticOperator op, in Value left, in Value right)
    {
        if (left.Kind != ValueKind.Number || right.Kind != ValueKind.Number)
        {
            return Value.Undefined;
        }

        double a = left.Number, b = right.Number;
        return op switch
        {
            ArithmeticOperator.Add => Value.FromNumber(a + b),
            ArithmeticOperator.Subtract => Value.FromNumber(a - b),
            ArithmeticOperator.Multiply => Value.FromNumber(a * b),
            ArithmeticOperator.Divide => b == 0 ? Value.Undefined : Value.FromNumber(a / b),
            ArithmeticOperator.Modulo => b == 0 ? Value.Undefined : Value.FromNumber(a % b),
            _ => Value.Undefined,
        };
    }

    public static Value Negate(in Value value)
        => value.Kind == ValueKind.Number ? Value.FromNumber(-value.Number) : Value.Undefined;

    /// <summary>
    /// Orders values for MIN and MAX: numbers before strings; other types do not take part (returns null).
    /// </summary>
    public static int? OrderForMinMax(in Value a, in Value b)
    {
        static int Rank(in Value v) => v.Kind switch
        {
            ValueKind.Number => 0,
            ValueKind.String => 1,
            _ => -1,
        };

        int ra = Rank(a), rb = Rank(b);
        if (ra < 0 || rb < 0)
        {
            return null;
        }

        if (ra != rb)
        {
            return ra.CompareTo(rb);
        }

        return ra == 0 ? a.Number.CompareTo(b.Number) : string.CompareOrdinal(a.AsString(), b.AsString());
    }

    private static bool Test(ComparisonOperator op, int order) => op switch
    {
        ComparisonOperator.Equal => order == 0,
        ComparisonOperator.NotEqual => order != 0,
        ComparisonOperator.Less => order < 0,
        ComparisonOperator.LessOrEqual => order <= 0,
        ComparisonOperator.Greater => order > 0,
        ComparisonOperator.GreaterOrEqual => order >= 0,
        _ => false,
    };
}
