using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;

using IotLabKit.PowerShell.Common;

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
        value = PowerShellJson.Unwrap(value);
        if (value is null) return null;
        if (value is string text) return IsOneJsonValue(text) ? text.Trim() : JsonValue.Create(text).ToJsonString();
        return ToNode(value, 0)?.ToJsonString() ?? "null";
    }

    private static JsonNode? ToNode(object? value, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"-Payload is nested more than {MaxDepth} levels deep.");
        value = PowerShellJson.Unwrap(value);
        switch (value)
        {
            case null: return null;
            case var scalar when PowerShellJson.TryScalar(scalar, out var json): return json;
            case JsonNode node: return node.DeepClone();
            case IDictionary dictionary:
            {
                var obj = new JsonObject();
                foreach (DictionaryEntry entry in dictionary)
                    obj[Convert.ToString(PowerShellJson.Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? ""] = ToNode(entry.Value, depth + 1);
                return obj;
            }
            case IEnumerable list:
                return new JsonArray(list.Cast<object?>().Select(item => ToNode(item, depth + 1)).ToArray());
            default:
                return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
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
