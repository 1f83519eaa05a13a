using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// Turns wire JSON into plain PowerShell objects (PSCustomObject, object[], string, long, double, bool), keeping
/// member order and names such as <c>$version</c> and <c>$metadata</c>, so the result navigates like the JSON
/// and <c>ConvertTo-Json</c> gives the same document back.
/// </summary>
internal static class PSJson
{
    /// <summary>Converts one JSON value.</summary>
    public static object? ToPSValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToPSObject(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPSValue).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l
            : element.TryGetDecimal(out var m) && m.ToString(CultureInfo.InvariantCulture) == element.GetRawText() ? m
            : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Converts a JSON object to a PSCustomObject; anything else gives an empty one.</summary>
    public static PSObject ToPSObject(JsonElement element)
    {
        var result = new PSObject();
        if (element.ValueKind != JsonValueKind.Object) return result;
        foreach (var member in element.EnumerateObject())
            result.Properties.Add(new PSNoteProperty(member.Name, ToPSValue(member.Value)));
        return result;
    }
}
