using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Twins;

namespace IotLabKit.PowerShell.Configurations;

/// <summary>
/// The one place for the input rules of the configuration cmdlets: -DesiredProperties becomes the configuration's
/// device content, -Metric and -Label become name → text maps.
/// </summary>
internal static class ConfigurationInput
{
    private const string DesiredPath = "properties.desired";

    /// <summary>
    /// Device content from what the user typed: a hashtable (or PSCustomObject, or JSON) keyed by twin path
    /// (<c>'properties.desired.firmware' = @{…}</c>) or holding desired properties directly (<c>@{ firmware = @{…} }</c>,
    /// meaning under properties.desired) — both may be mixed. Dotted keys are paths; values keep their shape.
    /// </summary>
    /// <returns>Twin path (<c>properties.desired.&lt;name&gt;</c>) → value, one entry per top-level desired property.</returns>
    /// <exception cref="ArgumentException">Nothing to write, a path outside properties.desired, or a property given twice.</exception>
    public static Dictionary<string, object?> DeviceContent(object input)
    {
        var tree = TwinPatchBuilder.Build(input);
        var desired = new JsonObject();
        foreach (var (key, value) in tree.ToList())
        {
            tree.Remove(key);
            if (key != "properties")
            {
                Add(desired, key, value);
                continue;
            }
            if (value is not JsonObject properties)
                throw new ArgumentException($"'properties' must hold 'desired' (twin paths start with '{DesiredPath}').");
            foreach (var (section, sectionValue) in properties.ToList())
            {
                properties.Remove(section);
                if (section != "desired" || sectionValue is not JsonObject desiredContent)
                    throw new ArgumentException($"A configuration can set only desired properties; 'properties.{section}' cannot be set. Use keys such as '{DesiredPath}.firmware', or name the desired properties directly (@{{ firmware = @{{ … }} }}).");
                foreach (var (name, child) in desiredContent.ToList())
                {
                    desiredContent.Remove(name);
                    Add(desired, name, child);
                }
            }
        }
        if (desired.Count == 0)
            throw new ArgumentException("-DesiredProperties is empty: give the desired properties the configuration writes, such as @{ 'properties.desired.firmware' = @{ fwVersion = '1.0.1' } }.");
        var content = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in desired.ToList())
        {
            desired.Remove(name);
            content[DesiredPath + "." + name] = value;
        }
        return content;
    }

    /// <summary>
    /// A name → text map from a hashtable (metrics: name → query; labels: name → value). With
    /// <paramref name="allowNull"/> a $null value is kept (it means "remove" on Set-AutoConfiguration).
    /// </summary>
    /// <exception cref="ArgumentException">A key or value that is not text, or an empty key.</exception>
    public static Dictionary<string, string?> Map(IDictionary input, string parameter, bool allowNull)
    {
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in input)
        {
            var key = Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(key)) throw new ArgumentException($"{parameter} has an empty name.");
            var value = Unwrap(entry.Value);
            if (value is null && !allowNull) throw new ArgumentException($"{parameter} '{key}' has no value.");
            if (value is not null and not string and not ValueType)
                throw new ArgumentException($"{parameter} '{key}' must be text, not {value.GetType().Name}.");
            if (!map.TryAdd(key, value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture)))
                throw new ArgumentException($"{parameter} names '{key}' twice.");
        }
        return map;
    }

    private static void Add(JsonObject desired, string name, JsonNode? value)
    {
        if (desired.ContainsKey(name)) throw new ArgumentException($"The desired property '{name}' is given twice.");
        desired[name] = value;
    }

    private static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;
}
