using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Twins;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// Turns what a user gives for -Payload into JSON: a hashtable or PSCustomObject becomes an object (the rules of
/// -Properties on the twin cmdlets), a string that is JSON text is used as it is ('{"a":1}', '42', 'true'), any other
/// string is a JSON string, numbers and booleans stay themselves, arrays become arrays, $null is null.
/// </summary>
internal static class JobPayload
{
    /// <summary>The payload as JSON text.</summary>
    /// <exception cref="ArgumentException">A hashtable whose keys collide.</exception>
    public static string ToJson(object? input) => ToNode(input)?.ToJsonString() ?? "null";

    private static JsonNode? ToNode(object? input)
    {
        var value = input is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : input;
        switch (value)
        {
            case null: return null;
            case string text:
                try { return JsonNode.Parse(text); }
                catch (JsonException) { return JsonValue.Create(text); }
            case bool b: return JsonValue.Create(b);
            case int or long or short or byte or sbyte or uint or ushort or ulong:
                return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case float or double: return JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case decimal m: return JsonValue.Create(m);
            case IDictionary or PSObject: return TwinPatchBuilder.Build(input);
            case IEnumerable list: return new JsonArray(list.Cast<object?>().Select(ToNode).ToArray());
            default: return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }
}
