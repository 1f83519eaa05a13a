using System.Globalization;

namespace IotLabKit.Query.Evaluation;

internal delegate Value FunctionBody(ReadOnlySpan<Value> arguments);

/// <summary>A scalar function: its canonical name, how many arguments it takes, and what it computes.</summary>
internal sealed record FunctionDefinition(string Name, int MinArguments, int MaxArguments, FunctionBody Body);

/// <summary>
/// The scalar functions of the query language. IoT Hub documents IS_DEFINED for twin queries and is observed to
/// accept STARTSWITH and ENDSWITH; the rest are the message-routing functions, accepted here as a superset. Any
/// argument of the wrong type makes the result undefined (so a condition built on it is not true).
/// </summary>
internal static class Functions
{
    private static readonly Dictionary<string, FunctionDefinition> ByName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Names the real hub rejects in twin queries, with the spelling to use instead.</summary>
    private static readonly Dictionary<string, string> Rejected = new(StringComparer.OrdinalIgnoreCase)
    {
        ["STARTS_WITH"] = "STARTSWITH",
        ["ENDS_WITH"] = "ENDSWITH",
    };

    static Functions()
    {
        // Type checks. IS_DEFINED is true for JSON null: only a missing property is undefined.
        Add("IS_DEFINED", 1, 1, a => Value.FromBoolean(!a[0].IsUndefined));
        Add("IS_NULL", 1, 1, a => Value.FromBoolean(a[0].Kind == ValueKind.Null));
        Add("IS_BOOL", 1, 1, a => Value.FromBoolean(a[0].Kind == ValueKind.Boolean));
        Add("IS_NUMBER", 1, 1, a => Value.FromBoolean(a[0].Kind == ValueKind.Number));
        Add("IS_STRING", 1, 1, a => Value.FromBoolean(a[0].Kind == ValueKind.String));
        Add("IS_OBJECT", 1, 1, a => Value.FromBoolean(a[0].Kind == ValueKind.Object));
        Add("IS_ARRAY", 1, 1, a => Value.FromBoolean(a[0].Kind == ValueKind.Array));
        Add("IS_PRIMITIVE", 1, 1, a => Value.FromBoolean(a[0].Kind is ValueKind.Null or ValueKind.Boolean or ValueKind.Number or ValueKind.String));

        // Strings. All comparisons are ordinal (case-sensitive).
        Add("STARTSWITH", 2, 2, a => OnStrings(a, (s, t) => Value.FromBoolean(s.StartsWith(t, StringComparison.Ordinal))));
        Add("ENDSWITH", 2, 2, a => OnStrings(a, (s, t) => Value.FromBoolean(s.EndsWith(t, StringComparison.Ordinal))));
        Add("CONTAINS", 2, 2, a => OnStrings(a, (s, t) => Value.FromBoolean(s.Contains(t, StringComparison.Ordinal))));
        Add("INDEX_OF", 2, 2, a => OnStrings(a, (s, t) => Value.FromNumber(s.IndexOf(t, StringComparison.Ordinal))));
        Add("LOWER", 1, 1, a => OnString(a[0], s => Value.FromString(s.ToLowerInvariant())));
        Add("UPPER", 1, 1, a => OnString(a[0], s => Value.FromString(s.ToUpperInvariant())));
        Add("LENGTH", 1, 1, a => OnString(a[0], s => Value.FromNumber(s.Length)));
        Add("CONCAT", 2, int.MaxValue, Concat);
        Add("SUBSTRING", 3, 3, Substring);
        Add("AS_NUMBER", 1, 1, a => OnString(a[0], s =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? Value.FromNumber(d) : Value.Undefined));

        // Math.
        Add("ABS", 1, 1, a => OnNumber(a[0], Math.Abs));
        Add("CEILING", 1, 1, a => OnNumber(a[0], Math.Ceiling));
        Add("FLOOR", 1, 1, a => OnNumber(a[0], Math.Floor));
        Add("EXP", 1, 1, a => OnNumber(a[0], Math.Exp));
        Add("SIGN", 1, 1, a => OnNumber(a[0], x => Math.Sign(x)));
        Add("SQRT", 1, 1, a => OnNumber(a[0], Math.Sqrt));
        Add("SQUARE", 1, 1, a => OnNumber(a[0], x => x * x));
        Add("POWER", 2, 2, a => a[0].Kind == ValueKind.Number && a[1].Kind == ValueKind.Number
            ? Value.FromNumber(Math.Pow(a[0].Number, a[1].Number))
            : Value.Undefined);
    }

    /// <summary>The supported names, for the "unknown function" message.</summary>
    public static IEnumerable<string> Names => ByName.Keys.Order(StringComparer.Ordinal);

    public static bool TryGet(string name, out FunctionDefinition definition)
        => ByName.TryGetValue(name, out definition!);

    public static bool IsRejected(string name, out string replacement)
        => Rejected.TryGetValue(name, out replacement!);

    private static void Add(string name, int min, int max, FunctionBody body) => ByName.Add(name, new FunctionDefinition(name, min, max, body));

    private static Value OnString(in Value value, Func<string, Value> body)
        => value.Kind == ValueKind.String ? body(value.AsString()) : Value.Undefined;

    private static Value OnStrings(ReadOnlySpan<Value> a, Func<string, string, Value> body)
        => a[0].Kind == ValueKind.String && a[1].Kind == ValueKind.String ? body(a[0].AsString(), a[1].AsString()) : Value.Undefined;

    private static Value OnNumber(in Value value, Func<double, double> body)
        => value.Kind == ValueKind.Number ? Value.FromNumber(body(value.Number)) : Value.Undefined;

    private static Value Concat(ReadOnlySpan<Value> a)
    {
        var parts = new string[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i].Kind != ValueKind.String)
            {
                return Value.Undefined;
            }

            parts[i] = a[i].AsString();
        }

        return Value.FromString(string.Concat(parts));
    }

    /// <summary>SUBSTRING(s, start, length): 0-based; fractions are truncated and the range is clipped to the string.</summary>
    private static Value Substring(ReadOnlySpan<Value> a)
    {
        if (a[0].Kind != ValueKind.String || a[1].Kind != ValueKind.Number || a[2].Kind != ValueKind.Number)
        {
            return Value.Undefined;
        }

        var s = a[0].AsString();
        var start = Math.Clamp(Math.Truncate(a[1].Number), 0, s.Length);
        var length = Math.Clamp(Math.Truncate(a[2].Number), 0, s.Length - start);
        return Value.FromString(s.Substring((int)start, (int)length));
    }
}
