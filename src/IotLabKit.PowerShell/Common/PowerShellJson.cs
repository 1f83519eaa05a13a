using System.Globalization;
using System.Management.Automation;
using System.Text.Json.Nodes;

namespace IotLabKit.PowerShell.Common;

/// <summary>
/// The one rule for turning what a user types in PowerShell into JSON: how PSObjects unwrap (a PSCustomObject
/// becomes an ordered dictionary of its properties) and how scalars are written. Twin patches and method payloads
/// build their objects and arrays on top of it.
/// </summary>
internal static class PowerShellJson
{
    /// <summary>The value under a PSObject; a PSCustomObject as an ordered dictionary of its properties.</summary>
    public static object? Unwrap(object? value)
    {
        if (value is not PSObject ps) return value;
        if (ps.BaseObject is not PSCustomObject) return ps.BaseObject;
        var members = new System.Collections.Specialized.OrderedDictionary();
        foreach (var p in ps.Properties) members[p.Name] = p.Value;
        return members;
    }

    /// <summary>
    /// The JSON for a scalar (strings, numbers, booleans, dates as ISO 8601 UTC, enums and GUIDs as text,
    /// time spans as <c>c</c> format); false for null, JSON nodes, dictionaries and lists, which callers build.
    /// </summary>
    public static bool TryScalar(object? value, out JsonNode? node)
    {
        node = value switch
        {
            string s => JsonValue.Create(s),
            bool b => JsonValue.Create(b),
            char c => JsonValue.Create(c.ToString()),
            int or long or short or byte or sbyte or uint or ushort or ulong => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            float or double => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            decimal m => JsonValue.Create(m),
            DateTime dt => JsonValue.Create(dt.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)),
            DateTimeOffset dto => JsonValue.Create(dto.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)),
            Enum e => JsonValue.Create(e.ToString()),
            Guid g => JsonValue.Create(g.ToString()),
            TimeSpan ts => JsonValue.Create(ts.ToString("c", CultureInfo.InvariantCulture)),
            _ => null,
        };
        return node is not null;
    }
}
