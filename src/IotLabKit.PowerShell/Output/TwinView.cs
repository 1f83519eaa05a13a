using System.Management.Automation;
using System.Text.Json;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// Builds the twin object the cmdlets output (PSTypeName <c>IotLabKit.Twin</c>): identity facts on top, and
/// <c>Tags</c>, <c>Desired</c>, <c>Reported</c> as PSCustomObjects that keep <c>$version</c> and <c>$metadata</c>,
/// so <c>(Get-Twin d1).Desired.'$version'</c> works and <c>ConvertTo-Json -Depth 10</c> looks like the wire JSON.
/// </summary>
internal static class TwinView
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.Twin";

    /// <summary>Converts a twin read from the hub.</summary>
    public static PSObject From(Twin twin)
    {
        using var document = JsonDocument.Parse(twin.ToJson());
        var root = document.RootElement;
        var properties = root.TryGetProperty("properties", out var p) ? p : default;
        var result = new PSObject();
        Add(result, "DeviceId", twin.DeviceId);
        if (twin.ModuleId is not null) Add(result, "ModuleId", twin.ModuleId);
        Add(result, "ETag", twin.ETag);
        Add(result, "Version", twin.Version);
        // Text, not enums, so ConvertTo-Json writes names as the wire does rather than numbers.
        Add(result, "Status", twin.Status?.ToString());
        Add(result, "ConnectionState", twin.ConnectionState?.ToString());
        Add(result, "LastActivityTime", DeviceInfo.Local(twin.LastActivityTime));
        Add(result, "Tags", Section(root, "tags"));
        Add(result, "Desired", Section(properties, "desired"));
        Add(result, "Reported", Section(properties, "reported"));
        // Automatic device configurations targeting the twin: id → Targeted or Applied (as the portal's twin view shows).
        var configurations = new PSObject();
        foreach (var entry in twin.Configurations ?? Enumerable.Empty<KeyValuePair<string, Service.ConfigurationInfo>>())
            configurations.Properties.Add(new PSNoteProperty(entry.Key, entry.Value.Status.ToString()));
        Add(result, "Configurations", configurations);
        result.TypeNames.Insert(0, TypeName);
        return result;
    }

    private static PSObject Section(JsonElement parent, string name)
        => parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var section)
            ? PSJson.ToPSObject(section)
            : new PSObject();

    private static void Add(PSObject target, string name, object? value)
        => target.Properties.Add(new PSNoteProperty(name, value));
}
