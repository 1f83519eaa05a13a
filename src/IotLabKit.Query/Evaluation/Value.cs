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
/// A query-time value: JSON's types plus <c>undefined</c> (a missing property). Strings read from a document
/// stay as their <see cref="JsonValue"/> until someone needs the characters, so an equality test against a
/// constant does not allocate.
/// </summary>
internal readonly struct Value
{
    private readonly double _number;
    private readonly object? _ref; // string | JsonValue (a string not yet read) | JsonObject | JsonArray

    private Value(ValueKind kind, double number, object? reference)
    {
        Kind = kind;
        _number = number;
        _ref = reference;
    }

    public static readonly Value Undefined;
    public static readonly Value Null = new(ValueKind.Null, 0, null);
    public static readonly Value True = new(ValueKind.Boolean, 1, null);
    public static readonly Value False = new(ValueKind.Boolean, 0, null);

    public ValueKind Kind { get; }

    public bool IsUndefined => Kind == ValueKind.Undefined;

    public bool IsTrue => Kind == ValueKind.Boolean && _number != 0;

    public bool Boolean => _number != 0;

    public double Number => _number;

    public JsonObject? Object => _ref as JsonObject;

    public JsonArray? Array => _ref as JsonArray;

    public static Value FromBoolean(bool value) => value ? True : False;

    /// <summary>A number; NaN and infinities are not JSON, so they become undefined. -0 becomes 0 so it groups and prints as 0.</summary>
    public static Value FromNumber(double value)
        => double.IsFinite(value) ? new Value(ValueKind.Number, value == 0 ? 0 : value, null) : Undefined;

    public static Value FromString(string value) => new(ValueKind.String, 0, value);

    /// <summary>Wraps a document node. A present property whose value is JSON null arrives here as a null node.</summary>
    public static Value FromNode(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Null;
            case JsonObject o:
                return new Value(ValueKind.Object, 0, o);
            case JsonArray a:
                return new Value(ValueKind.Array, 0, a);
            case JsonValue v:
                return v.GetValueKind() switch
                {
                    JsonValueKind.String => new Value(ValueKind.String, 0, v),
                    JsonValueKind.Number => TryGetNumber(v, out var d) ? FromNumber(d) : Undefined,
                    JsonValueKind.True => True,
                    JsonValueKind.False => False,
                    JsonValueKind.Null => Null,
                    _ => Undefined,
                };
            default:
                return Undefined;
        }
    }

    /// <summary>The characters of a string value (reads a document string on first use).</summary>
    public string AsString() => _ref switch
    {
        string s => s,
        JsonValue v => ReadString(v),
        _ => string.Empty,
    };

    /// <summary>Ordinal equality of two string values without materialising a document string when one side is a constant.</summary>
    public static bool StringEquals(in Value a, in Value b)
    {
        if (a._ref is string sa && b._ref is string sb)
        {
            return string.Equals(sa, sb, StringComparison.Ordinal);
        }

        if (a._ref is JsonValue va && b._ref is string sb2 && va.TryGetValue(out JsonElement ea))
        {
            return ea.ValueEquals(sb2);
        }

        if (b._ref is JsonValue vb && a._ref is string sa2 && vb.TryGetValue(out JsonElement eb))
        {
            return eb.ValueEquals(sa2);
        }

        return string.Equals(a.AsString(), b.AsString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The value as a new JSON node for a result row (null node for JSON null). Document objects and arrays are
    /// deep-cloned so the row never shares nodes with the source. Integral numbers are written as integers.
    /// </summary>
    public JsonNode? ToNode() => Kind switch
    {
        ValueKind.Null => null,
        ValueKind.Boolean => JsonValue.Create(Boolean),
        ValueKind.Number => NumberNode(_number),
        ValueKind.String => JsonValue.Create(AsString()),
        ValueKind.Object or ValueKind.Array => ((JsonNode)_ref!).DeepClone(),
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
        _ => ((JsonNode)_ref!).ToJsonString(),
    };

    // Values built in code (JsonValue.Create(42)) keep their CLR type; values parsed from JSON hold a JsonElement.
    private static bool TryGetNumber(JsonValue v, out double d)
    {
        if (v.TryGetValue(out d)) return true;
        if (v.TryGetValue(out long l)) { d = l; return true; }
        if (v.TryGetValue(out int i)) { d = i; return true; }
        if (v.TryGetValue(out decimal m)) { d = (double)m; return true; }
        if (v.TryGetValue(out float f)) { d = f; return true; }
        if (v.TryGetValue(out ulong ul)) { d = ul; return true; }
        if (v.TryGetValue(out uint ui)) { d = ui; return true; }
        if (v.TryGetValue(out short s)) { d = s; return true; }
        if (v.TryGetValue(out ushort us)) { d = us; return true; }
        if (v.TryGetValue(out byte b)) { d = b; return true; }
        if (v.TryGetValue(out sbyte sb)) { d = sb; return true; }
        if (v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out d)) return true;

        // A number held in some other CLR type: read it back from its JSON text.
        return double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);
    }

    private static string ReadString(JsonValue v)
    {
        if (v.TryGetValue(out string? s) && s is not null) return s;
        if (v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.String) return e.GetString() ?? string.Empty;

        // A string held in some other CLR type (Guid, DateTime …): its JSON text is a quoted string.
        return JsonSerializer.Deserialize<string>(v.ToJsonString()) ?? string.Empty;
    }
}
