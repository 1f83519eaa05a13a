using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;

using IotLabKit.PowerShell.Common;

namespace IotLabKit.PowerShell.Twins;

/// <summary>
/// Turns what a user types for -Properties (hashtable, ordered dictionary, PSCustomObject or JSON text) into the
/// JSON object of a twin section. The one place for the input rules:
/// a key with dots is a path (<c>'telemetryConfig.sendFrequency' = '5m'</c> nests), <c>$null</c> stays null
/// (which deletes the property on a patch), and nested dictionaries and objects nest.
/// </summary>
internal static class TwinPatchBuilder
{
    /// <summary>Builds the section.</summary>
    /// <exception cref="ArgumentException">The input is not an object, or two keys collide.</exception>
    public static JsonObject Build(object? input)
    {
        var value = PowerShellJson.Unwrap(input);
        if (value is string text) return FromJson(text);
        var node = ToNode(value, "");
        return node as JsonObject
            ?? throw new ArgumentException("-Properties must be a hashtable, a PSCustomObject or a JSON object, not " + Describe(value) + ".");
    }

    private static JsonObject FromJson(string text)
    {
        JsonNode? parsed;
        try { parsed = JsonNode.Parse(text); }
        catch (JsonException ex) { throw new ArgumentException($"-Properties is not valid JSON: {ex.Message}", ex); }
        if (parsed is not JsonObject obj) throw new ArgumentException("-Properties JSON must be an object ({ … }).");
        // Re-insert member by member so dotted names in JSON follow the same path rule as hashtable keys.
        var result = new JsonObject();
        foreach (var (key, child) in obj.ToList())
        {
            obj.Remove(key);
            Insert(result, key, child is JsonObject nested ? Expand(nested) : child, key);
        }
        return result;
    }

    private static JsonObject Expand(JsonObject obj)
    {
        var result = new JsonObject();
        foreach (var (key, child) in obj.ToList())
        {
            obj.Remove(key);
            Insert(result, key, child is JsonObject nested ? Expand(nested) : child, key);
        }
        return result;
    }

    private static JsonNode? ToNode(object? value, string path)
    {
        value = PowerShellJson.Unwrap(value);
        switch (value)
        {
            case null: return null;
            case var scalar when PowerShellJson.TryScalar(scalar, out var json): return json;
            case IDictionary dictionary:
            {
                var obj = new JsonObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = Convert.ToString(PowerShellJson.Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "";
                    Insert(obj, key, ToNode(entry.Value, Join(path, key)), Join(path, key));
                }
                return obj;
            }
            case PSCustomObject:
                throw new InvalidOperationException("unreachable: PSCustomObject is handled through its PSObject");
            case IEnumerable list:
                return new JsonArray(list.Cast<object?>().Select(item => ToNode(item, path)).ToArray());
            default:
                return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Puts <paramref name="value"/> at the dotted <paramref name="key"/> inside <paramref name="target"/>.</summary>
    private static void Insert(JsonObject target, string key, JsonNode? value, string fullPath)
    {
        var parts = key.Split('.');
        if (parts.Any(p => p.Length == 0))
            throw new ArgumentException($"The property name '{fullPath}' has an empty part; use dots only between names.");
        var node = target;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (!node.TryGetPropertyValue(parts[i], out var next) || next is null)
            {
                var created = new JsonObject();
                node[parts[i]] = created;
                node = created;
            }
            else if (next is JsonObject existing) node = existing;
            else throw new ArgumentException($"The property '{fullPath}' conflicts with a value given for '{parts[i]}'.");
        }
        var last = parts[^1];
        if (node.TryGetPropertyValue(last, out var current) && current is JsonObject currentObject && value is JsonObject newObject)
        {
            foreach (var (k, v) in newObject.ToList())
            {
                newObject.Remove(k);
                Insert(currentObject, k, v, fullPath + "." + k);
            }
            return;
        }
        if (node.ContainsKey(last))
            throw new ArgumentException($"The property '{fullPath}' is given twice.");
        node[last] = value;
    }


    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Describe(object? value) => value is null ? "$null" : $"a {value.GetType().Name}";
}
