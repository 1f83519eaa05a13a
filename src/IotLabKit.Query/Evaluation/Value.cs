using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.Query.Evaluation;

internal enum ValueKind : byte
{
    Undefined,
    Null,
    Boolean,
    Number,
    String,
    Object,
    Array,
}

/// <summary>
/// A query-time value: JSON's types plus <c>undefined</c> (a missing property). Strings, objects and arrays read
/// from a document stay as their <see cref="JsonElement"/> (a position in the document's UTF-8 text) until someone
/// needs the characters, so a path look-up or an equality test against a constant allocates nothing.
/// </summary>
internal readonly struct Value
{
    private readonly double _number;
    private readonly string? _string;        // a string computed or written in the query
    private readonly JsonElement _element;   // a document's string (not yet read), object or array

    private Value(ValueKind kind, double number, string? text = null, JsonElement element = default)
    {
        Kind = kind;
        _number = number;
        _string = text;
        _element = element;
    }

    public static readonly Value Undefined;
    public static readonly Value Null = new(ValueKind.Null, 0);
    public static readonly Value True = new(ValueKind.Boolean, 1);
    public static readonly Value False = new(ValueKind.Boolean, 0);

    public ValueKind Kind { get; }

    public bool IsUndefined => Kind == ValueKind.Undefined;

    public bool IsTrue => Kind == ValueKind.Boolean && _number != 0;

    public bool Boolean => _number != 0;

    public double Number => _number;

    /// <summary>The document element behind a string, object or array read from a document; null for anything else.</summary>
    public JsonElement? Element => _string is null && Kind is ValueKind.String or ValueKind.Object or ValueKind.Array ? _element : null;

    public static Value FromBoolean(bool value) => value ? True : False;

    /// <summary>A number; NaN and infinities are not JSON, so they become undefined. -0 becomes 0 so it groups and prints as 0.</summary>
    public static Value FromNumber(double value)
        => double.IsFinite(value) ? new Value(ValueKind.Number, value == 0 ? 0 : value) : Undefined;

    public static Value FromString(string value) => new(ValueKind.String, 0, value);

    /// <summary>Wraps a document element. A present property whose value is JSON null arrives here as a Null element.</summary>
    public static Value FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new Value(ValueKind.Object, 0, element: element),
        JsonValueKind.Array => new Value(ValueKind.Array, 0, element: element),
        JsonValueKind.String => new Value(ValueKind.String, 0, element: element),
        JsonValueKind.Number => element.TryGetDouble(out var d) ? FromNumber(d) : Undefined,
        JsonValueKind.True => True,
        JsonValueKind.False => False,
        JsonValueKind.Null => Null,
        _ => Undefined,
    };

    /// <summary>The characters of a string value (reads a document string on first use).</summary>
    public string AsString() => _string ?? (Kind == ValueKind.String ? _element.GetString() ?? string.Empty : string.Empty);

    /// <summary>Ordinal equality of two string values without materialising a document string when one side is a constant.</summary>
    public static bool StringEquals(in Value a, in Value b)
    {
        if (a._string is { } sa)
        {
            return b._string is { } sb ? string.Equals(sa, sb, StringComparison.Ordinal) : b._element.ValueEquals(sa);
        }

        return b._string is { } sb2 ? a._element.ValueEquals(sb2) : string.Equals(a.AsString(), b.AsString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The value as a new JSON node for a result row (null node for JSON null). A document's objects and arrays
    /// become nodes over their own element (read-only text, nothing copied until the row is changed).
    /// Integral numbers are written as integers.
    /// </summary>
    public JsonNode? ToNode() => Kind switch
    {
        ValueKind.Null => null,
        ValueKind.Boolean => JsonValue.Create(Boolean),
        ValueKind.Number => NumberNode(_number),
        ValueKind.String => JsonValue.Create(AsString()),
        ValueKind.Object => JsonObject.Create(_element),
        ValueKind.Array => JsonArray.Create(_element),
        _ => null,
    };

    /// <summary>Numbers are doubles inside the engine; this writes them back as integers when they have no fraction.</summary>
    public static JsonNode NumberNode(double value)
    {
        const double maxExactInteger = 9007199254740992; // 2^53: beyond it a double no longer holds every integer.
        return Math.Abs(value) <= maxExactInteger && Math.Floor(value) == value
            ? JsonValue.Create((long)value)
            : JsonValue.Create(value);
    }

    /// <summary>A type name for messages and for the canonical grouping key.</summary>
    public override string ToString() => Kind switch
    {
        ValueKind.Undefined => "undefined",
        ValueKind.Null => "null",
        ValueKind.Boolean => Boolean ? "true" : "false",
        ValueKind.Number => _number.ToString("R", CultureInfo.InvariantCulture),
        ValueKind.String => JsonSerializer.Serialize(AsString()),
        _ => _element.GetRawText(),
    };
}
