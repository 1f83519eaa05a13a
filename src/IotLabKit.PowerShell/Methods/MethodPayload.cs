using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.PowerShell.Methods;

/// <summary>
/// Turns what a user gives for -Payload into the JSON of a direct method's payload. The one place for the rules:
/// <c>$null</c> is no payload (sent as <c>null</c>); a hashtable or PSCustomObject is an object (keys as written —
/// dots are not paths here); a list is an array; a number or boolean is itself; text that is one valid JSON value
/// (<c>'{"delay":5}'</c>, <c>'"On"'</c>, <c>'10'</c>) is sent as written, and any other text as a JSON string
/// (<c>On</c> → <c>"On"</c>).
/// </summary>
internal static class MethodPayload
{
    private const int MaxDepth = 64;

    /// <summary>The payload as JSON text, or null for none.</summary>
    /// <exception cref="ArgumentException">The value cannot be written as JSON (too deeply nested, for example).</exception>
    public static string? ToJson(object? value)
    {
        value = Unwrap(value);
        if (value is null) return null;
        if (value is string text) return IsOneJsonValue(text) ? text.Trim() : JsonValue.Create(text).ToJsonString();
        return ToNode(value, 0)?.ToJsonString() ?? "null";
    }

    private static JsonNode? ToNode(object? value, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"-Payload is nested more than {MaxDepth} levels deep.");
        value = Unwrap(value);
        switch (value)
        {
            case null: return null;
            case string s: return JsonValue.Create(s);
            case bool b: return JsonValue.Create(b);
            case char c: return JsonValue.Create(c.ToString());
            case int or long or short or byte or sbyte or uint or ushort or ulong:
                return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case float or double: return JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case decimal m: return JsonValue.Create(m);
            case DateTime dt: return JsonValue.Create(dt.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture));
            case DateTimeOffset dto: return JsonValue.Create(dto.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture));
            case Enum e: return JsonValue.Create(e.ToString());
            case Guid g: return JsonValue.Create(g.ToString());
            case TimeSpan ts: return JsonValue.Create(ts.ToString("c", CultureInfo.InvariantCulture));
            case JsonNode node: return node.DeepClone();
            case IDictionary dictionary:
            {
                var obj = new JsonObject();
                foreach (DictionaryEntry entry in dictionary)
                    obj[Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? ""] = ToNode(entry.Value, depth + 1);
                return obj;
            }
            case IEnumerable list:
                return new JsonArray(list.Cast<object?>().Select(item => ToNode(item, depth + 1)).ToArray());
            default:
                return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    private static object? Unwrap(object? value)
    {
        if (value is not PSObject ps) return value;
        if (ps.BaseObject is not PSCustomObject) return ps.BaseObject;
        var members = new System.Collections.Specialized.OrderedDictionary();
        foreach (var p in ps.Properties) members[p.Name] = p.Value;
        return members;
    }

    private static bool IsOneJsonValue(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
