using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>The twin sections, each with its own limits.</summary>
public enum TwinSectionKind
{
    /// <summary><c>tags</c> (8 KB).</summary>
    Tags,
    /// <summary><c>properties.desired</c> (32 KB).</summary>
    Desired,
    /// <summary><c>properties.reported</c> (32 KB).</summary>
    Reported,
}

/// <summary>
/// IoT Hub's twin limits (§4.4 of the protocol notes): key characters and length, nesting depth, string length,
/// integer range and section sizes. Arrays are accepted in every section, tags included — the hub accepts them in
/// desired and reported today and the emulator applies the same rule to tags rather than guess a stricter one.
/// Every violation is <c>ArgumentInvalid</c> (400004); the real hub's code for size overruns is not documented.
/// </summary>
public static class TwinValidator
{
    /// <summary>Longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;
    /// <summary>Longest string value, in UTF-8 bytes.</summary>
    public const int MaxStringBytes = 4 * 1024;
    /// <summary>Deepest nesting below a section root: ten objects (or arrays) inside one another, the tenth holding values.</summary>
    public const int MaxDepth = 10;
    /// <summary>Largest tags section.</summary>
    public const int MaxTagsBytes = 8 * 1024;
    /// <summary>Largest desired or reported section.</summary>
    public const int MaxPropertiesBytes = 32 * 1024;
    /// <summary>Integer range IoT Hub accepts (±2^52).</summary>
    public const long MinInteger = -4503599627370496, MaxInteger = 4503599627370495;

    /// <summary>Checks keys and values of a patch (or replacement) for a section; throws <c>ArgumentInvalid</c>.</summary>
    public static void ValidatePatch(JsonObject patch, TwinSectionKind kind)
        => ValidateObject(patch, kind, SectionName(kind), depth: 0);

    /// <summary>Checks the size of a section after a write; throws <c>ArgumentInvalid</c> when over its limit.</summary>
    public static void ValidateSize(JsonObject section, TwinSectionKind kind)
    {
        var limit = kind == TwinSectionKind.Tags ? MaxTagsBytes : MaxPropertiesBytes;
        var size = SizeOf(section);
        if (size > limit)
            throw HubException.Invalid(
                $"The twin's {SectionName(kind)} would be {size} bytes; the limit is {limit} bytes.");
    }

    /// <summary>The size IoT Hub counts for a value: keys and strings by UTF-8 length, numbers 8, booleans 4.</summary>
    public static long SizeOf(JsonNode? node) => node switch
    {
        null => 0,
        JsonObject obj => obj.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + SizeOf(p.Value)),
        JsonArray arr => arr.Sum(SizeOf),
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => Encoding.UTF8.GetByteCount(node.GetValue<string>()),
            JsonValueKind.Number => 8,
            JsonValueKind.True or JsonValueKind.False => 4,
            _ => 0,
        },
    };

    /// <summary>Why <paramref name="key"/> is not a valid twin key, or null when it is.</summary>
    public static string? KeyProblem(string key)
    {
        if (key.Length == 0) return "is empty";
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes) return $"is longer than {MaxKeyBytes} bytes";
        if (key[0] == '$') return "starts with '$', which is reserved for the hub";
        foreach (var c in key)
        {
            if (c is '.' or '$' or ' ' or '#') return $"contains '{c}'";
            if (char.IsControl(c)) return $"contains the control character U+{(int)c:X4}";
        }
        return null;
    }

    private static void ValidateObject(JsonObject obj, TwinSectionKind kind, string path, int depth)
    {
        if (depth > MaxDepth)
            throw HubException.Invalid($"The twin's {SectionName(kind)} nests deeper than {MaxDepth} levels at '{path}'.");
        foreach (var (key, value) in obj)
        {
            var childPath = path + "." + key;
            if (KeyProblem(key) is { } problem)
                throw HubException.Invalid($"The twin key '{Shorten(childPath)}' is invalid: it {problem}. Keys may not contain '.', '$', '#', spaces or control characters.");
            ValidateValue(value, kind, childPath, depth);
        }
    }

    private static void ValidateValue(JsonNode? value, TwinSectionKind kind, string path, int depth)
    {
        switch (value)
        {
            case null: return;
            case JsonObject child: ValidateObject(child, kind, path, depth + 1); return;
            case JsonArray array:
                if (depth + 1 > MaxDepth)
                    throw HubException.Invalid($"The twin's {SectionName(kind)} nests deeper than {MaxDepth} levels at '{Shorten(path)}'.");
                foreach (var item in array) ValidateValue(item, kind, path + "[]", depth + 1);
                return;
        }
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                var bytes = Encoding.UTF8.GetByteCount(value.GetValue<string>());
                if (bytes > MaxStringBytes)
                    throw HubException.Invalid($"The twin value at '{Shorten(path)}' is a string of {bytes} bytes; the limit is {MaxStringBytes}.");
                return;
            case JsonValueKind.Number:
                var raw = value.ToJsonString();
                if (raw.AsSpan().IndexOfAny(".eE") < 0
                    && (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < MinInteger || n > MaxInteger))
                    throw HubException.Invalid($"The twin value at '{Shorten(path)}' ({Shorten(raw)}) is outside the integer range {MinInteger} to {MaxInteger}.");
                return;
        }
    }

    private static string SectionName(TwinSectionKind kind) => kind switch
    {
        TwinSectionKind.Tags => "tags",
        TwinSectionKind.Desired => "properties.desired",
        _ => "properties.reported",
    };

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
